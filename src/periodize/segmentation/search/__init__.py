"""Searches over segmentations: exact dynamic programming, PELT, the penalty path."""
