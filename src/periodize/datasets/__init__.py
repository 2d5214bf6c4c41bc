"""Bundled datasets."""

from .mongolia_kazakhstan import mongolia_kazakhstan, mongolia_kazakhstan_sources

__all__ = ["mongolia_kazakhstan", "mongolia_kazakhstan_sources"]
