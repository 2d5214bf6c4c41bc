"""Frequentist tests of hypothesised periodizations: the whole, each boundary,
competing periodizations, trend nulls, intervals, boundary sets and many series."""
