"""``build``: every output present and consistent with the others and with the library."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from cxcorpus import build as build_module
from cxcorpus.build import BuildError, build
from cxcorpus.corpus import load_corpus
from cxcorpus.embed import get_encoder
from cxcorpus.errors import EncoderError, InputError
from cxcorpus.outdir import STATS
from cxcorpus.summary_lines import GroupsWriter, LinesWriter
from cxcorpus.tweets import extract_tweets
from tests.conftest import BagOfWords


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _copy(folder: Path, to: Path) -> Path:
    """A copy of the seed corpus or of the built output, for a test to change."""
    shutil.copytree(folder, to)
    return to


@pytest.fixture(scope="module")
def built(corpus_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("build")
    cache = tmp_path_factory.getbasetemp() / "embedding-cache"  # shared by this session's tests
    summary = build(corpus_dir, root / "out", cache_dir=cache)
    return cache, root / "out", summary


def test_writes_every_output(built, corpus_dir):
    _, out, summary = built
    corpus = load_corpus(corpus_dir)
    names = {p.name for p in (out / "alignments").iterdir()}
    group = corpus.groups["cx-tweetchat"]
    for i, a in enumerate(group):
        for b in group[i + 1:]:  # one file per pair and format, in either order
            for ext in ("jsonl", "tmx"):
                assert (f"{a}__{b}.{ext}" in names) != (f"{b}__{a}.{ext}" in names)
    assert len(names) == 6
    assert (out / "tweets.jsonl").is_file() and (out / "gaps.jsonl").is_file()
    assert sorted(p.name for p in (out / "report").iterdir()) == ["cx-tweetchat.html", "index.html"]
    assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == json.loads(
        json.dumps(summary, default=list))
    index = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert 'href="cx-tweetchat.html"' in index and "customer-always-right" in index


def test_alignments_cover_every_unit_once(built, corpus_dir):
    _, out, _ = built
    corpus = load_corpus(corpus_dir)
    for path in (out / "alignments").glob("*.jsonl"):
        src_id, tgt_id = path.name[: -len(".jsonl")].split("__")
        src, tgt = corpus.article(src_id), corpus.article(tgt_id)
        beads = _jsonl(path)
        assert [i for b in beads for i in b["src"]] == list(range(len(src.aligned_units)))
        assert [j for b in beads for j in b["tgt"]] == list(range(len(tgt.aligned_units)))
        for b in beads:
            assert b["src_text"] == [src.aligned_units[i].text for i in b["src"]]
        tmx = ElementTree.parse(path.with_suffix(".tmx")).getroot()
        tus = tmx.findall("./body/tu")
        assert len(tus) == sum(bool(b["src"] and b["tgt"]) for b in beads)
        xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
        assert [t.get(xml_lang) for t in tus[0].findall("tuv")] == [src.lang, tgt.lang]


def test_tweets_equal_extract_tweets_and_are_linked(built, corpus_dir):
    _, out, summary = built
    corpus = load_corpus(corpus_dir)
    rows = _jsonl(out / "tweets.jsonl")
    for article in corpus.articles:
        expected = extract_tweets(article)
        mine = [r for r in rows if r["article"] == article.id]
        assert [r["text"] for r in mine] == [t.text for t in expected]
        assert [r["author_handle"] for r in mine] == [t.author_handle for t in expected]
    assert summary["counts"]["tweets"] == len(rows) == 24
    tr = [r["quote_id"] for r in rows if r["article"] == "cx-tweetchat.tr"]
    it = [r["quote_id"] for r in rows if r["article"] == "cx-tweetchat.it"]
    assert tr == it and len(set(tr)) == 12
    assert summary["counts"]["quotes"] == 12


def test_gaps_agree_with_the_alignments(built):
    _, out, summary = built
    gaps = _jsonl(out / "gaps.jsonl")
    assert summary["counts"]["gaps"] == len(gaps)
    texts = {}
    for path in (out / "alignments").glob("*.jsonl"):
        for bead in _jsonl(path):
            pair = tuple(path.name[: -len(".jsonl")].split("__"))
            for side in ("src", "tgt"):
                for k, text in zip(bead[side], bead[f"{side}_text"]):
                    texts[(pair, side, k)] = text
    for gap in gaps:
        assert texts[(tuple(gap["pair"]), gap["side"], gap["unit"])] == gap["text"]
    tr_de = [g for g in gaps if g["pair"] == ["cx-tweetchat.tr", "cx-tweetchat.de"]]
    assert sum(g["side"] == "src" and g["kind"] == "tweet" for g in tr_de) == 12
    assert sum(g["side"] == "tgt" for g in tr_de) == 4
    assert not [g for g in gaps if g["pair"] == ["cx-tweetchat.tr", "cx-tweetchat.it"]]


def test_summary_lists_single_version_groups(built):
    _, _, summary = built
    groups = {g["name"]: g for g in summary["groups"]}
    assert set(groups) == {"cx-tweetchat", "twitter-customer-conversation", "customer-always-right"}
    single = groups["customer-always-right"]
    assert single["aligned"] is False and single["report"] is None and single["pairs"] == []
    assert groups["cx-tweetchat"]["rows"] > 0 and len(groups["cx-tweetchat"]["pairs"]) == 3
    assert summary["signature"]["encoder"] == get_encoder().name
    assert "skip" in summary["signature"]["params"]


def test_the_summary_groups_are_summary_json_s(built, corpus_dir, tmp_path):
    """The summary's groups, read from the output's state, are summary.json's, and stay
    readable when the output is gone; summary.json and the index page, written a group
    at a time, hold the bytes of the whole summary and of ``render_index``."""
    from cxcorpus.report import render_index

    out = tmp_path / "out"
    summary = build(corpus_dir, out, cache_dir=built[0])
    groups = list(summary["groups"])
    text = (out / "summary.json").read_text(encoding="utf-8")
    assert summary["groups"] == json.loads(text)["groups"] == groups and len(groups) == 3
    assert [g["name"] for g in summary["groups"]] == [g["name"] for g in groups]
    assert summary["groups"][-1] == groups[2] and summary["groups"][1:] == groups[1:]
    assert copy.deepcopy(summary)["groups"] == groups  # a copy is a list
    whole = json.JSONEncoder(ensure_ascii=False, indent=2).encode(
        {**summary, "groups": groups, "warnings": list(summary["warnings"])})
    assert text == whole + "\n"
    index = render_index(
        [{**g, "report_file": g["report"][len("report/"):] if g["report"] else None}
         for g in groups], title=f"cxcorpus build of {corpus_dir}",
        nway_gaps=_jsonl(out / "gaps-nway.jsonl"))
    assert (out / "report" / "index.html").read_text(encoding="utf-8") == index
    shutil.rmtree(out)
    assert list(summary["groups"]) == groups


@pytest.mark.parametrize("count", [0, 1, 2])
def test_summary_json_is_written_a_group_at_a_time(tmp_path, count):
    """Groups and warnings read back from their files give summary.json the bytes of the
    whole summary, whatever the entries hold (text that JSON escapes, undecodable bytes of
    a file name, numbers, nesting, NUL characters) and however many there are."""
    entries = [{"name": f"gr\u00fcppe {k}\udcff", "articles": ["a\nb", "\u00e9\""],
                "rows": k, "score": 0.1 + k / 3, "pairs": [{"src": "a", "tgt": []}],
                "tweets": {}, "report": None} for k in range(count)]
    messages = [f"group gr\u00fcppe {k}\udcff: \0cxcorpus warnings\0\n\"x\"" for k in range(count)]
    path, said = tmp_path / "groups.jsonl", tmp_path / "warnings.jsonl"
    with open(path, "wb") as handle, open(said, "wb") as other:
        writer, warned = GroupsWriter(handle, path), LinesWriter(other, said)
        for entry, message in zip(entries, messages):
            writer.add(entry, {})
            warned.add(message)
    summary = {"corpus": "c", "groups": writer.entries(), "failed": [{"error": "\0"}],
               "warnings": warned.entries(), "out": "o\udcff"}
    build_module._write_summary(tmp_path / "summary.json", summary)
    whole = json.JSONEncoder(ensure_ascii=False, indent=2).encode(
        {**summary, "groups": entries, "warnings": messages})
    expected = whole.encode("utf-8", "surrogatepass").decode("utf-8", "replace") + "\n"
    assert (tmp_path / "summary.json").read_text(encoding="utf-8") == expected
    assert summary["groups"] == entries and len(summary["groups"]) == count
    assert summary["warnings"] == messages and list(summary["warnings"]) == messages


def _outputs(out: Path) -> dict[str, bytes]:
    """Every file of a build but summary.json (whose timings and counts of work vary) and
    the state's file stats (times and inodes of this machine)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and p.name not in ("summary.json", STATS)}


def _stable(summary: dict) -> dict:
    return {k: v for k, v in summary.items()
            if k not in ("timings", "cache", "incremental", "out", "workers")}


def test_second_run_recomputes_nothing_and_replaces_the_output(built, corpus_dir):
    cache, out, first = built
    before = _outputs(out)
    second = build(corpus_dir, out, cache_dir=cache)
    assert second["incremental"] == {"recomputed": 0, "reused": 3, "failed": 0,
                                     "articles_read": 0}
    assert second["cache"]["misses"] == 0
    assert _stable(second) == _stable(first)
    assert _outputs(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]  # no lock, no temporary


def test_a_file_the_build_did_not_write_is_never_removed(built, corpus_dir):
    cache, out, _ = built
    stale = out / "notes.txt"
    stale.write_text("my notes", encoding="utf-8")
    try:
        with pytest.raises(BuildError, match="notes.txt: was not written by cxcorpus"):
            build(corpus_dir, out, cache_dir=cache)
        assert stale.read_text(encoding="utf-8") == "my notes"
    finally:
        stale.unlink()


def test_a_failing_build_leaves_the_previous_output(built, corpus_dir, monkeypatch):
    cache, out, _ = built
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("cxcorpus.report.index_page", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build(corpus_dir, out, cache_dir=cache)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]


def test_a_failing_group_is_listed_and_the_rest_is_built(built, corpus_dir, tmp_path,
                                                           monkeypatch):
    """A group whose task fails twice is in summary.json's ``failed``; the others are
    written; the next build computes only that group."""
    cache = built[0]
    calls = []

    def broken(*args, **kwargs):
        calls.append(kwargs.get("title"))
        raise RuntimeError("renderer crashed")

    with monkeypatch.context() as patch:
        patch.setattr("cxcorpus.report.render_report", broken)
        with pytest.warns(build_module.BuildWarning, match="renderer crashed"):
            summary = build(corpus_dir, tmp_path / "out", cache_dir=cache)
    assert calls == ["cx-tweetchat", "cx-tweetchat"]  # tried, and tried once more
    (failure,) = summary["failed"]
    assert failure["group"] == "cx-tweetchat" and "renderer crashed" in failure["error"]
    assert summary["incremental"].items() >= {"recomputed": 2, "reused": 0, "failed": 1}.items()
    assert any("renderer crashed" in w for w in summary["warnings"])
    written = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert written["failed"] == summary["failed"] and written["warnings"] == summary["warnings"]
    assert not list((tmp_path / "out" / "alignments").iterdir())
    again = build(corpus_dir, tmp_path / "out", cache_dir=cache)
    assert again["incremental"].items() >= {"recomputed": 1, "reused": 2, "failed": 0}.items()
    assert again["failed"] == [] and len(list((tmp_path / "out" / "alignments").iterdir())) == 6


def test_one_changed_article_recomputes_only_its_group(built, corpus_dir, tmp_path):
    cache, out, _ = built
    corpus = _copy(corpus_dir, tmp_path / "corpus")
    mine = _copy(out, tmp_path / "out")
    before = _outputs(mine)
    article = corpus / "customer-always-right.tr.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\nYeni bir paragraf.\n",
                       encoding="utf-8")
    summary = build(corpus, mine, cache_dir=cache)
    assert summary["incremental"] == {"recomputed": 1, "reused": 2, "failed": 0,
                                      "articles_read": 1}  # the others are taken back
    after = _outputs(mine)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    # the single version's tweets and units only reach these files; cx-tweetchat's are kept
    assert not any(name.startswith(("alignments/", "report/cx-")) for name in changed)


def test_two_workers_write_the_same_bytes_as_one(built, corpus_dir, tmp_path, monkeypatch):
    """A local Dask cluster of two worker processes: the same output, byte for byte (one
    task in flight per worker, so that groups wait their turn)."""
    cache, out, first = built
    monkeypatch.setattr(build_module, "IN_FLIGHT_PER_WORKER", 1)

    def read_here(*args, **kwargs):
        raise AssertionError("an article was read in the building process")

    # the manifest's files are read by the groups' tasks, on the workers: the building
    # process never holds the corpus's articles
    monkeypatch.setattr("cxcorpus.corpus.read_article", read_here)
    summary = build(corpus_dir, tmp_path / "out", cache_dir=cache, workers=2)
    assert summary["workers"] == 2
    assert summary["incremental"] == {"recomputed": 3, "reused": 0, "failed": 0,
                                      "articles_read": 5}
    assert summary["cache"]["misses"] == 0 and summary["cache"]["hits"] > 0
    assert _outputs(tmp_path / "out") == _outputs(out)
    assert _stable(summary) == _stable(first)


def test_a_script_that_builds_with_workers_unguarded_gets_told_why_it_fails(
        built, corpus_dir, tmp_path):
    """Each local worker process starts by running the main script; a script that calls
    build() at its top, not under ``if __name__ == "__main__":``, would build again in
    every worker. Both sides refuse, and the script's error says what to do; nothing is
    written."""
    script = tmp_path / "script.py"
    script.write_text(f"import cxcorpus\ncxcorpus.build({str(corpus_dir)!r}, "
                      f"{str(tmp_path / 'out')!r}, cache_dir={str(built[0])!r}, workers=2)\n",
                      encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False,
                          timeout=300, cwd=tmp_path)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("cxcorpus.outdir.BuildError: cannot start 2 local Dask workers"), last
    assert last.endswith("call it under 'if __name__ == \"__main__\":')"), last
    assert sorted(p.name for p in tmp_path.iterdir()) == ["script.py"]


def test_a_file_a_worker_cannot_read_stops_the_build(built, corpus_dir, tmp_path):
    """An article that cannot be read, found by the worker that reads its group: the build
    stops with that file's error, and the previous output is left as it was."""
    cache, out, _ = built
    corpus = _copy(corpus_dir, tmp_path / "corpus")
    mine = _copy(out, tmp_path / "out")
    before = _outputs(mine)
    (corpus / "cx-tweetchat.it.txt").write_bytes(b"")
    with pytest.raises(InputError, match=r"cx-tweetchat\.it\.txt: .*empty"):
        build(corpus, mine, cache_dir=cache, workers=2)
    assert _outputs(mine) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "out"]


def test_what_reading_said_is_said_again_by_a_build_that_reuses_the_group(built, corpus_dir,
                                                                          tmp_path):
    """The manifest's language against langdetect's: warned when the article is read, and
    again when its group is taken unchanged (its state keeps what reading said)."""
    corpus = _copy(corpus_dir, tmp_path / "corpus")
    manifest = corpus / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('file = "customer-always-right.tr.txt"\n'
                                     'source = "004_a358e2a61c9de494.txt"\nlang = "tr"',
                                     'file = "customer-always-right.tr.txt"\n'
                                     'source = "004_a358e2a61c9de494.txt"\nlang = "az"'),
                        encoding="utf-8")
    said = "customer-always-right.tr.txt: manifest says 'az', langdetect says 'tr'"
    for recomputed in (3, 0):
        with pytest.warns(UserWarning, match=said):
            summary = build(corpus, tmp_path / "out", cache_dir=built[0])
        assert summary["incremental"]["recomputed"] == recomputed
    assert [g["langs"] for g in summary["groups"] if g["name"] == "customer-always-right"] == [
        ["az"]]


class ModelThatWillNotLoad(BagOfWords):
    """An encoder whose model cannot be loaded (a damaged download, say)."""

    name = "will-not-load"

    def load(self):
        raise EncoderError(None, "the model files are damaged")

    def encode(self, texts):
        self.load()


def test_a_model_that_cannot_load_fails_the_groups_that_need_it(corpus_dir, tmp_path):
    """The build starts loading the model in a thread while it looks for unchanged groups;
    a load that fails there is said by the groups that need vectors, once each, and the
    groups that need none (single versions) are built."""
    with pytest.warns(build_module.BuildWarning, match="the model files are damaged"):
        summary = build(corpus_dir, tmp_path / "out", ModelThatWillNotLoad(),
                        cache_dir=tmp_path / "cache", workers=1)
    assert summary["failed"] == [{"group": "cx-tweetchat",
                                  "error": "the model files are damaged"}]
    assert summary["incremental"].items() >= {"recomputed": 2, "failed": 1}.items()


class DiesOnGerman(BagOfWords):
    """An encoder that kills its worker process (a crash no exception handler can catch)
    when it is asked for a text with a German word only cx-tweetchat's German version has."""

    name = "dies-on-german"

    def encode(self, texts):
        if any("Kunden" in text for text in texts):
            os._exit(1)
        return super().encode(texts)


def test_a_group_that_kills_its_worker_is_listed_and_the_rest_of_its_task_is_built(
        corpus_dir, tmp_path, monkeypatch):
    """All three groups in one task: the task dies twice (Dask's retry), is split into a
    task per group, and only the group that kills its worker is listed failed."""
    import dask

    monkeypatch.setattr(build_module, "GROUP_BATCH", 3)
    monkeypatch.setattr(build_module, "TASKS_PER_WORKER", 0)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), pytest.warns(
            build_module.BuildWarning, match="cx-tweetchat"):
        summary = build(corpus_dir, tmp_path / "out", DiesOnGerman(),
                        cache_dir=tmp_path / "cache", workers=2)
    (failure,) = summary["failed"]
    assert failure["group"] == "cx-tweetchat" and "KilledWorker" in failure["error"]
    assert summary["incremental"].items() >= {"recomputed": 2, "failed": 1}.items()
    problems = {g["name"]: g.get("problem") for g in summary["groups"]}
    assert len(problems) == 3 and [n for n, p in problems.items() if p] == ["cx-tweetchat"]
    assert sorted(p.name for p in (tmp_path / "out" / "report").iterdir()) == ["index.html"]


def test_parquet_datasets_hold_the_jsonl_records(built):
    import pyarrow.dataset as ds

    _, out, summary = built
    import datetime as dt

    from cxcorpus.tweet_export import TWEET_SCHEMA

    table = ds.dataset(out / "parquet" / "tweets", format="parquet").to_table()
    assert table.schema.remove(0) == TWEET_SCHEMA  # the tweets export's types, after "group"
    tweets, records = table.to_pylist(), _jsonl(out / "tweets.jsonl")
    assert [(t["article"], t["text"], t["quote_id"], t["urls"]) for t in tweets] == [
        (t["article"], t["text"], t["quote_id"], t["urls"]) for t in records]
    assert any(t["urls"] for t in tweets)  # Twitter's URL objects, not their repr
    assert [t["date"] for t in tweets] == [
        dt.date.fromisoformat(t["date"]) if t["date"] else None for t in records]
    gaps = ds.dataset(out / "parquet" / "gaps", format="parquet").to_table()
    assert gaps.num_rows == summary["counts"]["gaps"]
    assert gaps.column("text").to_pylist() == [g["text"] for g in _jsonl(out / "gaps.jsonl")]
    beads = ds.dataset(out / "parquet" / "alignments", format="parquet").to_table().to_pylist()
    for path in (out / "alignments").glob("*.jsonl"):
        src, tgt = path.name[: -len(".jsonl")].split("__")
        mine = [(b["src"], b["tgt"], b["src_text"]) for b in beads
                if (b["src_article"], b["tgt_article"]) == (src, tgt)]
        assert mine == [(b["src"], b["tgt"], b["src_text"]) for b in _jsonl(path)]


def test_duckdb_reads_the_parquet_datasets(built):
    import duckdb

    _, out, summary = built
    parts = out / "parquet"
    (rows,) = duckdb.sql(f"select count(*), count(distinct quote_id) from "
                         f"'{parts}/tweets/*.parquet'").fetchall()
    assert rows == (summary["counts"]["tweets"], summary["counts"]["quotes"])
    beads = duckdb.sql(f"select src_article, tgt_article, count(*) from "
                       f"'{parts}/alignments/*.parquet' group by all order by all").fetchall()
    expected = sorted((p["src"], p["tgt"], p["beads"]) for g in summary["groups"]
                      for p in g["pairs"])
    assert beads == expected


def test_versions_that_are_not_translations_are_warned_about(built, corpus_dir, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("cx-tweetchat.de.txt", "twitter-customer-conversation.tr.txt"):
        shutil.copy(corpus_dir / name, corpus / name)
    (corpus / "manifest.toml").write_text(
        '[[article]]\nfile = "cx-tweetchat.de.txt"\nlang = "de"\ngroup = "mixed"\n'
        '[[article]]\nfile = "twitter-customer-conversation.tr.txt"\nlang = "tr"\n'
        'group = "mixed"\n', encoding="utf-8")
    with pytest.warns(build_module.BuildWarning, match="do not look like translations"):
        summary = build(corpus, tmp_path / "out", cache_dir=built[0])
    (warning,) = summary["warnings"]
    assert warning.startswith("group mixed: cx-tweetchat.de and twitter-customer-conversation.tr")


def test_a_second_build_on_the_same_output_is_refused(built, corpus_dir):
    cache, out, _ = built
    with build_module.lock(out), pytest.raises(BuildError, match="another build is writing"):
        build(corpus_dir, out, cache_dir=cache)


def test_refuses_output_inside_the_corpus_or_over_other_files(corpus_dir, tmp_path):
    with pytest.raises(BuildError, match="inside the corpus folder"):
        build(corpus_dir, corpus_dir / "out", cache_dir=tmp_path)
    assert not (corpus_dir / "out").exists()
    other = tmp_path / "src"
    other.mkdir()
    (other / "keep.py").write_text("precious", encoding="utf-8")
    with pytest.raises(BuildError, match="not a cxcorpus build output"):
        build(corpus_dir, other, cache_dir=tmp_path)
    assert (other / "keep.py").read_text(encoding="utf-8") == "precious"


def test_a_group_in_an_uncovered_language_is_listed_not_fatal(corpus_dir, tmp_path, built):
    """TR+IT build as usual; a DE+FI group (the encoder has no Finnish) is reported."""
    cache = built[0]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("cx-tweetchat.tr.txt", "cx-tweetchat.it.txt", "cx-tweetchat.de.txt"):
        shutil.copy(corpus_dir / name, corpus / name)
    (corpus / "cx-tweetchat.fi.txt").write_text(
        "Asiakaskokemus ja läpinäkyvyys\n\nOlemme keskustelleet läpinäkyvyyden roolista "
        "asiakaskokemuksessa. Ihmiset kaikilta toimialoilta osallistuivat keskusteluun.\n",
        encoding="utf-8")
    (corpus / "manifest.toml").write_text("\n".join(
        f'[[article]]\nfile = "cx-tweetchat.{lang}.txt"\nlang = "{lang}"\ngroup = "{group}"\n'
        for lang, group in (("tr", "a"), ("it", "a"), ("de", "b"), ("fi", "b"))),
        encoding="utf-8")
    summary = build(corpus, tmp_path / "out", cache_dir=cache)
    groups = {g["name"]: g for g in summary["groups"]}
    assert groups["a"]["aligned"] and groups["a"]["report"] == "report/a.html"
    assert groups["b"]["aligned"] is False and "'fi' is not covered" in groups["b"]["problem"]
    assert groups["b"]["report"] is None
    assert summary["counts"]["tweets"] == 24  # TR's and IT's 12 each, DE and FI none


def test_tweets_equal_the_tweets_command(built, corpus_dir):
    from click.testing import CliRunner

    from cxcorpus.cli import main

    _, out, _ = built
    result = CliRunner().invoke(main, ["tweets", str(corpus_dir)])
    assert result.exit_code == 0, result.output
    command = [json.loads(line) for line in result.stdout.splitlines()]
    assert _jsonl(out / "tweets.jsonl") == command


def test_without_a_manifest_groups_are_found_by_content(corpus_dir, tmp_path, built):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in corpus_dir.glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    summary = build(corpus, tmp_path / "out", cache_dir=built[0])
    assert summary["grouped_by"] == "content"
    groups = {g["name"]: g for g in summary["groups"]}
    assert sorted(groups["cx-tweetchat"]["articles"]) == [
        "cx-tweetchat.de", "cx-tweetchat.it", "cx-tweetchat.tr"]
    assert summary["counts"]["aligned_groups"] == 1 and summary["counts"]["tweets"] == 24


def test_parquet_parts_of_unchanged_groups_are_kept(built, corpus_dir, tmp_path, monkeypatch):
    """One part per group here: a changed article rewrites its group's part only; the
    others are the previous build's files (hard links), and the datasets equal a cold
    build's."""
    import pyarrow.dataset as ds

    cache = built[0]
    monkeypatch.setattr(build_module, "PART_GROUPS", 1)
    corpus = _copy(corpus_dir, tmp_path / "corpus")
    out = tmp_path / "out"
    build(corpus, out, cache_dir=cache)
    parts = sorted((out / "parquet").rglob("*.parquet"))
    assert len(parts) == 9  # three groups, three tables
    inodes = {p.relative_to(out): p.stat().st_ino for p in parts}
    article = corpus / "customer-always-right.tr.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\nYeni bir paragraf.\n",
                       encoding="utf-8")
    build(corpus, out, cache_dir=cache)
    kept = {p for p in inodes if (out / p).stat().st_ino == inodes[p]}
    assert len(kept) == 6  # the changed group is one part of each table
    cold = tmp_path / "cold"
    build(corpus, cold, cache_dir=cache)
    for table in ("alignments", "gaps", "tweets"):
        mine = ds.dataset(out / "parquet" / table, format="parquet").to_table()
        fresh = ds.dataset(cold / "parquet" / table, format="parquet").to_table()
        assert mine.equals(fresh)
    assert _outputs(out) == _outputs(cold)


def test_an_edited_output_file_is_not_taken_back(built, corpus_dir, tmp_path):
    """A file of the previous output that someone changed (same size, new bytes) is
    recomputed, not carried into the next output."""
    cache, out, _ = built
    mine = tmp_path / "out"
    shutil.copytree(out, mine, copy_function=os.link)  # the same files, as a build keeps them
    target = mine / "alignments" / "cx-tweetchat.tr__cx-tweetchat.it.jsonl"
    data = target.read_bytes()
    target.unlink()  # a new file (new inode) with the same size
    target.write_bytes(data.replace(b'"src"', b'"SRC"', 1))
    summary = build(corpus_dir, mine, cache_dir=cache)
    assert summary["incremental"]["recomputed"] == 1
    assert target.read_bytes() == data


def test_progress_bar_counts_groups_and_texts_on_a_terminal(built, corpus_dir, tmp_path,
                                                            monkeypatch, capsys):
    """On a terminal the build shows one bar: groups done out of all, texts embedded;
    not on a pipe (the other tests: stderr is captured, nothing is drawn)."""
    import io

    cache = built[0]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    monkeypatch.setenv("TQDM_MININTERVAL", "0")  # draw every update, however fast the build
    build(corpus_dir, tmp_path / "out", cache_dir=cache)
    drawn = screen.getvalue()
    assert "building" in drawn and "3/3 [" in drawn and "texts embedded" in drawn
    monkeypatch.undo()
    build(corpus_dir, tmp_path / "piped", cache_dir=cache)
    assert "building" not in capsys.readouterr().err


def test_a_damaged_state_is_recomputed(built, corpus_dir, tmp_path):
    """A group's kept records cut short (or its state's summary gone) make that group be
    computed again; the output is what a clean build gives."""
    import hashlib
    cache, out, _ = built
    mine = _copy(out, tmp_path / "out")
    state = mine / ".cxcorpus-state" / hashlib.sha256(b"cx-tweetchat").hexdigest()
    lines = state.with_suffix(".jsonl")
    lines.write_bytes(lines.read_bytes()[:100])
    other = mine / ".cxcorpus-state" / hashlib.sha256(b"customer-always-right").hexdigest()
    kept = json.loads(other.with_suffix(".json").read_text(encoding="utf-8"))
    del kept["summary"]
    other.with_suffix(".json").write_text(json.dumps(kept), encoding="utf-8")
    summary = build(corpus_dir, mine, cache_dir=cache)
    assert summary["incremental"]["recomputed"] == 2
    assert _outputs(mine) == _outputs(out)
