"""cxcorpus: load, align and compare multilingual customer-experience article corpora."""

__version__ = "0.1.0"
