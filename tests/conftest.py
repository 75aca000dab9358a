"""Shared fixtures: the bundled corpus and its articles, read once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def seed_articles():
    """The five bundled articles by id, read with the real reader."""
    from cxcorpus.read import read_article

    return {p.name[: -len(".txt")]: read_article(p) for p in sorted(CORPUS.glob("*.txt"))}
