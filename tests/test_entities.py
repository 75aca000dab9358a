"""The twitter-text conformance suite (extract.yml, Apache-2.0) as a table-driven test.

Every case of every section runs; none is skipped. ``tests/data/tweets/extract.yml`` is a copy
of the suite in ``shared/bench/twitter-text/``.
"""

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcorpus import entities as E

SUITE = yaml.safe_load((Path(__file__).parent / "data/tweets/extract.yml").read_text("utf-8"))


def _names(found, key):
    return [entity[key] for entity in found]


# How each section of the suite calls the extractor.
SECTIONS = {
    "mentions": lambda t: _names(E.extract_mentions_with_indices(t), "screen_name"),
    "mentions_with_indices": E.extract_mentions_with_indices,
    "mentions_or_lists_with_indices": E.extract_mentions_or_lists_with_indices,
    "replies": E.extract_reply,
    "hashtags": lambda t: _names(E.extract_hashtags_with_indices(t), "hashtag"),
    "hashtags_from_astral": lambda t: _names(E.extract_hashtags_with_indices(t), "hashtag"),
    "hashtags_with_indices": E.extract_hashtags_with_indices,
    "urls": lambda t: _names(E.extract_urls_with_indices(t), "url"),
    "urls_with_indices": E.extract_urls_with_indices,
    "urls_with_directional_markers": E.extract_urls_with_indices,
    "tco_urls_with_params": lambda t: _names(E.extract_urls_with_indices(t), "url"),
    "cashtags": lambda t: _names(E.extract_cashtags_with_indices(t), "cashtag"),
    "cashtags_with_indices": E.extract_cashtags_with_indices,
}

CASES = [
    pytest.param(section, case, id=f"{section}-{i}")
    for section, cases in SUITE["tests"].items()
    for i, case in enumerate(cases)
]


def test_every_section_of_the_suite_is_run():
    assert set(SUITE["tests"]) == set(SECTIONS)
    required = {"mentions", "mentions_with_indices", "replies", "hashtags",
                "hashtags_with_indices", "urls", "urls_with_indices", "cashtags",
                "cashtags_with_indices"}
    assert required <= set(SUITE["tests"])
    assert len(CASES) == sum(len(c) for c in SUITE["tests"].values()) > 200


@pytest.mark.parametrize("section,case", CASES)
def test_conformance(section, case):
    assert SECTIONS[section](case["text"]) == case["expected"], case["description"]


def test_extract_entities_on_a_seed_tweet():
    # corpus/cx-tweetchat.tr.txt line 46
    text = ("Şeffaflık güven oluşturur, Güven işinizin para birimidir. Güveni kaybet, "
            "müşteriyi kaybet. #CXTweetchat #SAP_CX https://t.co/5hwYJUM6vp")
    found = E.extract_entities(text)
    assert _names(found["hashtags"], "hashtag") == ["CXTweetchat", "SAP_CX"]
    assert _names(found["urls"], "url") == ["https://t.co/5hwYJUM6vp"]
    assert found["mentions"] == [] and found["cashtags"] == []
    for kind in found.values():
        for entity in kind:
            start, end = entity["indices"]
            value = next(v for k, v in entity.items() if k != "indices")
            assert text[start:end].lstrip("#@$") == value or text[start:end] == value


def test_extract_entities_drops_overlaps_and_lists():
    text = "see http://example.com/#frag and @user/list-1 @real $AAPL ⁰@SAP_CX"
    found = E.extract_entities(text)
    assert found["hashtags"] == []  # "#frag" is part of the URL
    assert _names(found["mentions"], "screen_name") == ["real", "SAP_CX"]
    assert _names(found["cashtags"], "cashtag") == ["AAPL"]


# --- the URL extractor's guard (issue 10: super-linear on "a.a.a.…") --------------------

_ORIGINAL_URLS = E._twitter_text("extract_urls").extract_urls_with_indices


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab.-_/:?=#@ é1") + ["com", "https://", "t.co/", ".org"]),
                max_size=300).map("".join))
def test_guarded_url_extractor_agrees_with_the_package(text):
    assert E.extract_urls_with_indices(text) == _ORIGINAL_URLS(text)


@pytest.mark.parametrize("text,urls", [
    ("a." * 3200, []),
    ("x " + "a." * 3200 + " https://example.com/p", ["https://example.com/p"]),
    ("https://" + "a." * 3200, []),
    ("see example.com/" + "a" * 300 + "-a.b", ["example.com/" + "a" * 300 + "-a.b"]),
])
def test_long_dotted_runs(text, urls):
    found = E.extract_urls_with_indices(text)
    assert [u["url"] for u in found] == urls
    for url in found:
        start, end = url["indices"]
        assert text[start:end] == url["url"]


def test_a_domain_is_at_most_253_characters():
    text = "a." * 3200 + "example.com"
    (url,) = E.extract_urls_with_indices(text)
    assert url["url"].endswith(".a.example.com") and len(url["url"]) <= 253
    assert url["indices"][1] == len(text)
