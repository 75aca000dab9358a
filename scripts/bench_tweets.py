"""Tweet extraction speed on a large generated article (tweets per second).

Usage: python scripts/bench_tweets.py [--tweets N] [--repeat R]

The article is built from the bundled Turkish and Italian seeds: their quoted tweets (text
and attribution lines) with the handles and dates varied, each after a body paragraph, as
plain text. Times, best of R runs: reading it (``parse_article``), ``extract_tweets`` on
the read article, and its parts (``extract_entities``, ``parse_attribution``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import warnings
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

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
