"""Tweet extraction: speed on a large generated article, accuracy on the wild test inputs.

Usage: python scripts/bench_tweets.py [--tweets N] [--repeat R] [--cli-tweets M]

The article is built from the bundled Turkish and Italian seeds: their quoted tweets (text
and attribution lines) with the handles and dates varied, each after a body paragraph, as
plain text. Times, best of R runs: reading it (``parse_article``), ``extract_tweets`` on
the read article, and its parts (``extract_entities``, ``parse_attribution``). Then
``cxcorpus tweets`` end to end (``export_tweets``: read, extract, link, write JSONL) on a
file of M such tweets; the URL extractor on ``a.a.a.…`` (issue 10); and, on the hand-made
inputs of ``tests/data/tweets/wild`` (embeds and scraped text in many languages), tweets
found / expected, invented, and the share of right values per field.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

from cxcorpus.entities import extract_entities
from cxcorpus.read import parse_article, read_article
from cxcorpus.tweets import extract_tweets, parse_attribution

ROOT = Path(__file__).resolve().parents[1]
MONTHS = {"tr": "Eylül", "it": "settembre"}


def generated_article(n_tweets: int, seed: int = 0) -> str:
    """Plain text with ``n_tweets`` quoted tweets from the seeds, handles and dates varied."""
    rng = random.Random(seed)
    pieces = []
    for lang in MONTHS:
        article = read_article(ROOT / f"corpus/cx-tweetchat.{lang}.txt")
        bodies = [u.text for u in article.units if u.kind == "body"]
        tweets = [u.data for u in article.units if u.kind == "tweet"]
        pieces.append((lang, bodies, tweets))
    lines = ["Generated article for bench_tweets", "Yayınlanan: 2019-10-25"]
    for i in range(n_tweets):
        lang, bodies, tweets = pieces[i % len(pieces)]
        tweet = rng.choice(tweets)
        name, _, handle = tweet["attribution"][2:].partition(" (@")
        day = dt.date(2019, 9, 1) + dt.timedelta(days=rng.randrange(30))
        lines.append(rng.choice(bodies))
        lines.append(tweet["tweet_text"])
        lines.append(f"— {name} (@{handle.split(')')[0]}{i % 97}) {day.day} {MONTHS[lang]} 2019")
    return "\n".join(lines) + "\n"


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


FIELDS = ["text", "author_name", "author_handle", "date", "date_text", "status_id", "url",
          "hashtags", "mentions", "urls", "cashtags"]


def _comparable(field: str, value):
    if field == "urls":  # older versions give the URLs as strings
        return [u["url"] if isinstance(u, dict) else u for u in value]
    return value


def wild_accuracy() -> None:
    """Found / expected / invented tweets and per-field accuracy on the wild test inputs."""
    wild = ROOT / "tests/data/tweets/wild"
    gold = json.loads((wild / "expected.json").read_text("utf-8"))
    found = expected = invented = 0
    right: Counter = Counter()
    for name, tweets in gold.items():
        got = extract_tweets(read_article(wild / name))
        expected += len(tweets)
        left = list(tweets)  # a found tweet pairs with one expected: same status id,
        for tweet in got:    # else same handle, else the same end of text
            match = next((g for g in left if tweet.status_id and g["status_id"] == tweet.status_id),
                         None) or next((g for g in left if tweet.author_handle
                                        and g["author_handle"] == tweet.author_handle), None) \
                or next((g for g in left if g["text"][-20:] in (tweet.text or "")), None)
            if match is None:
                invented += 1
                continue
            left.remove(match)
            found += 1
            for field in FIELDS:
                right[field] += (_comparable(field, getattr(tweet, field))
                                 == _comparable(field, match[field]))
    print(f"wild inputs: {found}/{expected} tweets found, {invented} invented")
    print("  field accuracy (of expected): " + ", ".join(
        f"{f} {right[f] / expected:.0%}" for f in FIELDS))
    total = sum(right.values()) / (expected * len(FIELDS))
    print(f"  all fields: {total:.1%}")


def cli_speed(n_tweets: int) -> None:
    """``cxcorpus tweets FILE`` (its library function) on a generated file, tweets/s."""
    try:
        from cxcorpus.tweet_export import export_tweets
    except ImportError:  # before the writers moved out of tweets.py
        from cxcorpus.tweets import export_tweets
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "bench.tr.txt"
        source.write_text(generated_article(n_tweets), "utf-8")
        start = time.perf_counter()
        rows = export_tweets([str(source)], "jsonl", str(Path(tmp) / "out.jsonl"))
        took = time.perf_counter() - start
    print(f"cxcorpus tweets (export_tweets, {rows} tweets): {took:7.2f} s "
          f"{rows / took:8.1f} tweets/s")


def url_guard() -> None:
    for size in (1600, 3200, 6400):
        text = "a." * (size // 2)
        start = time.perf_counter()
        extract_entities(text)
        print(f"extract_entities on 'a.a.a.…' {size / 1000:.1f} KB: "
              f"{time.perf_counter() - start:7.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cli-tweets", type=int, default=1000)
    parser.add_argument("--skip-urls", action="store_true", help="skip the a.a.a.… timings")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    wild_accuracy()
    cli_speed(args.cli_tweets)
    if not args.skip_urls:
        url_guard()

    text = generated_article(args.tweets)
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    article = parse_article(text, article_id="bench.tr")  # once: the reader is not ours
    read_s = time.perf_counter() - start
    tweets = extract_tweets(article)
    assert len(tweets) == args.tweets, len(tweets)
    units = [u for u in article.units if u.kind == "tweet"]
    extract_s = best_of(args.repeat, lambda: extract_tweets(article))
    entity_s = best_of(args.repeat, lambda: [extract_entities(u.data["tweet_text"]) for u in units])
    attrib_s = best_of(args.repeat, lambda: [parse_attribution(u.data["attribution"]) for u in units])

    n = len(tweets)
    print(f"article: {n} tweets, {len(article.units)} units, {len(text) / 1e6:.2f} MB of text")
    print(f"read (parse_article):   {read_s:7.2f} s  {n / read_s:10.0f} tweets/s")
    print(f"extract_tweets:         {extract_s:7.2f} s  {n / extract_s:10.0f} tweets/s")
    print(f"  extract_entities:     {entity_s:7.2f} s  {n / entity_s:10.0f} tweets/s")
    print(f"  parse_attribution:    {attrib_s:7.2f} s  {n / attrib_s:10.0f} tweets/s")


if __name__ == "__main__":
    main()
