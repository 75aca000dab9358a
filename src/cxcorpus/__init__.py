"""cxcorpus: load, align and compare multilingual customer-experience article corpora.

The main functions are importable from the package itself::

    import cxcorpus
    corpus = cxcorpus.load_corpus("corpus/")
    alignment = cxcorpus.align_articles(*corpus.group_articles("cx-tweetchat")[:2])

They are loaded on first use (PEP 562), so ``import cxcorpus`` costs no more than the
package's name: numpy, the encoder and the HTML parser are imported only when needed.

``align``, ``evaluate`` and ``build`` name both a module and its main function: the
attribute is the module (so ``cxcorpus.align.align_nway`` and ``import cxcorpus.align``
keep working) and calling it calls the function (``cxcorpus.align(src, tgt)`` is
``cxcorpus.align.align(src, tgt)``; ``cxcorpus.evaluate(gold, test)`` is
``evaluate_files``).
"""

import sys

# Not ``typing.TYPE_CHECKING``: importing typing would double this package's import time.
# Type checkers take any constant of this name as true.
TYPE_CHECKING = False
_ModuleType = type(sys)  # types.ModuleType, without importing types

__version__ = "0.3.0"

# name -> module that defines it
_EXPORTS = {
    "read_article": "read",
    "parse_article": "read",
    "load_corpus": "corpus",
    "Corpus": "corpus",
    "align_articles": "align",
    "align_nway": "align",
    "align_files": "align",
    "pairwise": "align",
    "find_gaps": "gaps",
    "nway_gaps": "gaps",
    "extract_tweets": "tweets",
    "link_quotes": "tweets",
    "get_encoder": "embed",
    "CachedEncoder": "embed",
    "evaluate_files": "evaluate",
    "write_alignment": "export",
    "render_report": "report",
    "Article": "model",
    "Unit": "model",
    "Tweet": "model",
    "Bead": "model",
    "Alignment": "model",
    "NwayAlignment": "model",
    "Signature": "model",
    "CxcorpusError": "errors",
    "InputError": "errors",
}

# module -> the function that calling the module calls
_CALLABLE_MODULES = {"align": "align", "evaluate": "evaluate_files", "build": "build"}

__all__ = [
    "Alignment", "Article", "Bead", "CachedEncoder", "Corpus", "CxcorpusError", "InputError",
    "NwayAlignment", "Signature", "Tweet", "Unit", "__version__", "align", "align_articles",
    "align_files", "align_nway", "build", "evaluate", "evaluate_files", "extract_tweets",
    "find_gaps", "get_encoder", "link_quotes", "load_corpus", "nway_gaps", "pairwise",
    "parse_article", "read_article", "render_report", "write_alignment",
]

if TYPE_CHECKING:  # what type checkers and IDEs see
    from .align import align, align_articles, align_files, align_nway, pairwise
    from .build import build
    from .corpus import Corpus, load_corpus
    from .embed import CachedEncoder, get_encoder
    from .errors import CxcorpusError, InputError
    from .evaluate import evaluate_files
    from .evaluate import evaluate_files as evaluate
    from .export import write_alignment
    from .gaps import find_gaps, nway_gaps
    from .model import Alignment, Article, Bead, NwayAlignment, Signature, Tweet, Unit
    from .read import parse_article, read_article
    from .report import render_report
    from .tweets import extract_tweets, link_quotes


class _CallableModule(_ModuleType):
    """A submodule that, called, calls its main function (see the package docstring)."""

    def __call__(self, *args: object, **kwargs: object) -> object:
        return getattr(self, _CALLABLE_MODULES[self.__name__.rpartition(".")[2]])(*args, **kwargs)


class _Package(_ModuleType):
    # The import system sets ``cxcorpus.align = <module>`` however the submodule is first
    # imported; that is the one moment to make it callable.
    def __setattr__(self, name: str, value: object) -> None:
        if name in _CALLABLE_MODULES and type(value) is _ModuleType:
            value.__class__ = _CallableModule
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> object:
    from importlib import import_module

    if name in _CALLABLE_MODULES:
        return import_module(f".{name}", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cxcorpus' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
