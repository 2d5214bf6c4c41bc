"""Robustness: the periodization test re-run under every variation reviewers ask about,
and the weight envelope."""
