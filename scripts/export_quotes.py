"""Export a corpus's quoted tweets as a dataset Hugging Face ``datasets`` can load.

Usage: python scripts/export_quotes.py CORPUS OUT/

Writes ``OUT/tweets.{jsonl,parquet}`` (one row per tweet per article, the ``cxcorpus tweets``
contract), ``OUT/quotes.{jsonl,parquet}`` (one row per quote, its text in every language)
and ``OUT/README.md``, a dataset card whose ``configs`` name the Parquet files, so that
``load_dataset("OUT")``, ``load_dataset("parquet", data_files="OUT/tweets.parquet")`` and
``load_dataset("json", data_files="OUT/tweets.jsonl")`` all work. The card's
``dataset_info`` declares every column's ``features`` (the types of
:func:`cxcorpus.tweet_export.arrow_schema`), so JSON and Parquet load with the same types:
``status_id`` a string, ``date`` a ``date32``, ``urls`` a list of ``{url, expanded_url,
display_url}``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from cxcorpus import __version__
from cxcorpus.export import atomic_open
from cxcorpus.tweet_export import TWEET_SCHEMA, arrow_schema, tweet_rows, write_tweets

TWEET_DOCS = {
    "article": "article id (file name without extension, e.g. `cx-tweetchat.tr`)",
    "lang": "language of the article (ISO 639-1)",
    "order": "0-based position of the tweet among the article's quoted tweets",
    "unit": "index of the tweet's unit in the article (as in `cxcorpus units`)",
    "text": "the tweet's text as quoted (translated, in a translation)",
    "author_name": "display name from the attribution line",
    "author_handle": "screen name, without `@`",
    "date": "ISO 8601 date, null when the written date could not be read",
    "date_text": "the date as written in the article",
    "status_id": "Twitter status id (a string: ids have 19 digits), from the status link",
    "url": "canonical status URL, from the status link",
    "hashtags": "hashtags in the text, without `#` (twitter-text rules)",
    "mentions": "mentioned screen names, without `@`",
    "urls": "links of the text: `url` (as linked, t.co in embeds), `expanded_url` (where it "
            "leads), `display_url` (as shown)",
    "cashtags": "cashtags, without `$`",
    "quote_id": "the same for the same tweet in every translation of an article",
}
QUOTE_DOCS = {
    "group": "translation group (articles that translate one another)",
    "quote_id": "id of the quoted tweet (as in `tweets`)",
    "author_name": "display name",
    "author_handle": "screen name, without `@`",
    "date": "ISO 8601 date",
    "status_id": "Twitter status id, when known",
    "url": "canonical status URL, when known",
    "present": "articles that quote the tweet",
    "missing": "articles of the group that do not",
    "text_<lang>": "the tweet's text in that language's version, null where missing",
}


def export(corpus: str, out: str) -> dict[str, int]:
    """Write the dataset files and card; returns the row counts."""
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    tweets = tweet_rows([corpus])
    quotes = tweet_rows([corpus], group=True)
    for name, rows in (("tweets", tweets), ("quotes", quotes)):
        write_tweets(rows, "jsonl", str(target / f"{name}.jsonl"))
        write_tweets(rows, "parquet", str(target / f"{name}.parquet"))
    with atomic_open(target / "README.md") as card:
        card.write(dataset_card(corpus, tweets, quotes))
    return {"tweets": len(tweets), "quotes": len(quotes)}


def dataset_card(corpus: str, tweets: list[dict], quotes: list[dict]) -> str:
    """A Hugging Face dataset card: YAML header (languages, configs) and a readable body."""
    langs = sorted({t["lang"] for t in tweets} | {k[5:] for q in quotes for k in q
                                                  if k.startswith("text_")})
    per_article = Counter(t["article"] for t in tweets)
    missing = Counter(a for q in quotes for a in q["missing"])
    lines = [
        "---",
        "language:",
        *[f"- {lang}" for lang in langs],
        "license: other",
        "pretty_name: Quoted tweets of a multilingual customer-experience corpus",
        "configs:",
        "- config_name: tweets",
        "  data_files: tweets.parquet",
        "  default: true",
        "- config_name: quotes",
        "  data_files: quotes.parquet",
        "dataset_info:",
        "- config_name: tweets",
        "  features:",
        *features_yaml(TWEET_SCHEMA),
        "- config_name: quotes",
        "  features:",
        *features_yaml(arrow_schema(list(quotes[0]) if quotes else [])),
        "---",
        "",
        "# Quoted tweets",
        "",
        (f"The tweets quoted in the articles of `{Path(corpus).name}`, extracted with cxcorpus "
        f"{__version__} (`scripts/export_quotes.py`). Each tweet quoted in several "
        "translations of an article has one `quote_id`."),
        "",
        (f"- `tweets`: {len(tweets)} rows, one per tweet per article "
        "(`tweets.parquet`, `tweets.jsonl`)"),
        (f"- `quotes`: {len(quotes)} rows, one per quoted tweet with its text in every "
        "language (`quotes.parquet`, `quotes.jsonl`)"),
        f"- languages: {', '.join(langs) or 'none'}",
        "",
        "| article | tweets |",
        "|---|---|",
        *[f"| {a} | {n} |" for a, n in sorted(per_article.items())],
        "",
        "Versions lacking quotes that other versions of their group have: "
        + (", ".join(f"{a} ({n})" for a, n in sorted(missing.items())) or "none") + ".",
        "",
        "## Loading",
        "",
        "```python",
        "from datasets import load_dataset",
        'tweets = load_dataset("parquet", data_files="tweets.parquet")["train"]',
        'quotes = load_dataset("json", data_files="quotes.jsonl")["train"]',
        "```",
        "",
        ("JSON has no date type: `date` is written `2019-09-27`; loading with this card's "
         "`features` (as `load_dataset` does) gives the same `date32` as the Parquet files. "
         "From `cxcorpus tweets --format csv`, read ids as text: "
         "`pandas.read_csv(path, dtype={\"status_id\": str})`; without it pandas reads an id "
         "column with empty cells as floats and loses the last digits."),
        "",
        "## Fields of `tweets`",
        "",
        "| field | meaning |",
        "|---|---|",
        *[f"| `{k}` | {v} |" for k, v in TWEET_DOCS.items()],
        "",
        "## Fields of `quotes`",
        "",
        "| field | meaning |",
        "|---|---|",
        *[f"| `{k}` | {v} |" for k, v in QUOTE_DOCS.items()],
        "",
        "## Licence",
        "",
        ("The tweets are quoted from public posts on Twitter/X and belong to their authors; "
        "their use is subject to X's terms. The translations and the articles they come "
        "from keep the licence of the source corpus. Check both before redistributing; the "
        "`license: other` above says that no single licence covers the data."),
        "",
    ]
    return "\n".join(lines)


def features_yaml(schema: Any, indent: str = "  ") -> list[str]:
    """``features`` lines of a dataset card (Hugging Face ``datasets`` YAML) for a schema."""
    import pyarrow as pa

    lines = []
    for field in schema:
        lines.append(f"{indent}- name: {field.name}")
        kind = field.type
        if pa.types.is_list(kind):
            item = kind.value_type
            if pa.types.is_struct(item):
                lines.append(f"{indent}  list:")
                lines += features_yaml(item, indent + "  ")
            else:
                lines.append(f"{indent}  list: {_DTYPES[str(item)]}")
        else:
            lines.append(f"{indent}  dtype: {_DTYPES[str(kind)]}")
    return lines


_DTYPES = {"string": "string", "int64": "int64", "date32[day]": "date32"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="a corpus folder (or one article file)")
    parser.add_argument("out", help="output folder")
    args = parser.parse_args(argv)
    counts = export(args.corpus, args.out)
    print(f"{counts['tweets']} tweets, {counts['quotes']} quotes -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
