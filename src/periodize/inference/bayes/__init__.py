"""The exact Bayesian posterior over segmentations (conjugate marginals, forward-backward
sums) and its result."""
