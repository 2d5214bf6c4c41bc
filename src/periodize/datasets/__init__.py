"""Bundled datasets."""

from .mongolia_kazakhstan import (
    PAPER_BOUNDARIES,
    mongolia_kazakhstan,
    mongolia_kazakhstan_sources,
)

__all__ = ["PAPER_BOUNDARIES", "mongolia_kazakhstan", "mongolia_kazakhstan_sources"]
