"""Errors a user can act on. The CLI prints them as ``error: <path>: <problem>``."""

from __future__ import annotations

from typing import Any


class CxcorpusError(Exception):
    """Base class: ``path`` names the file or folder, ``problem`` says what is wrong."""

    def __init__(self, path: object, problem: str):
        self.path = str(path) if path is not None else None
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its two fields (a Dask worker sends it back to the build).
        return (type(self), (self.path, self.problem))


class InputError(CxcorpusError):
    """A file or folder cannot be read as an article or corpus."""


class EncodingError(InputError):
    """A file's bytes cannot be decoded as text."""


class LanguageError(CxcorpusError):
    """A text is in a language the encoder does not cover."""


class TranslationError(CxcorpusError):
    """A translation that was asked for (or named in a manifest) is missing."""


class EncoderError(CxcorpusError):
    """An encoder (a sentence-transformers model) cannot be loaded or used."""
