"""Forward–backward sums over all segmentations (Fearnhead 2006), vectorised over series.

With ``M[s, e]`` the log marginal likelihood of segment ``[s, e)``:

- ``A[k, t] = log Σ`` over segmentations of ``[0, t)`` into ``k + 1`` segments of the
  product of their marginal likelihoods;
- ``B[k, s]`` the same for ``[s, n)``;
- ``log_count[k]`` the log number of admissible segmentations with ``k`` breaks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp


@dataclass(frozen=True)
class Sums:
    forward: np.ndarray  # (K + 1, n_series, n + 1)
    backward: np.ndarray  # (K + 1, n_series, n + 1)
    log_count: np.ndarray  # (K + 1,)

    @property
    def evidence(self) -> np.ndarray:
        """``log Σ_segmentations p(y | segmentation)`` per series and k: ``(n_series, K + 1)``."""
        n = self.forward.shape[2] - 1
        return self.forward[:, :, n].T


def sums(log_m: np.ndarray, max_breaks: int) -> Sums:
    """Forward and backward sums for k = 0..``max_breaks``."""
    n_series, size, _ = log_m.shape
    n = size - 1
    valid = np.where(np.isfinite(log_m[0]), 0.0, -np.inf)
    forward = np.full((max_breaks + 1, n_series, n + 1), -np.inf)
    backward = np.full((max_breaks + 1, n_series, n + 1), -np.inf)
    counts = np.full((max_breaks + 1, n + 1), -np.inf)
    forward[0] = log_m[:, 0, :]
    backward[0] = log_m[:, :, n]
    counts[0] = valid[0]
    with np.errstate(invalid="ignore"):
        for k in range(1, max_breaks + 1):
            forward[k] = logsumexp(forward[k - 1][:, :, None] + log_m, axis=1)
            backward[k] = logsumexp(log_m + backward[k - 1][:, None, :], axis=2)
            counts[k] = logsumexp(counts[k - 1][:, None] + valid, axis=0)
    return Sums(forward, backward, counts[:, n])


def boundary_probabilities(s: Sums) -> np.ndarray:
    """``P[i, k, j - 1, t]``: probability that the j-th new segment starts at ``t`` given k
    breaks (zero for j > k), for series ``i``."""
    k_max = s.forward.shape[0] - 1
    n_series, size = s.forward.shape[1], s.forward.shape[2]
    out = np.zeros((n_series, k_max + 1, max(k_max, 1), size))
    evidence = s.evidence
    with np.errstate(invalid="ignore"):
        for k in range(1, k_max + 1):
            if not np.all(np.isfinite(evidence[:, k])):
                continue
            for j in range(1, k + 1):
                log_p = s.forward[j - 1] + s.backward[k - j] - evidence[:, k, None]
                out[:, k, j - 1] = np.exp(log_p)
    return np.nan_to_num(out)


def segment_probabilities(s: Sums, log_m: np.ndarray) -> np.ndarray:
    """``P[i, k, a, b]``: probability that ``[a, b)`` is a segment given k breaks."""
    k_max = s.forward.shape[0] - 1
    n_series, size, _ = log_m.shape
    n = size - 1
    before = np.full((k_max + 1, n_series, size), -np.inf)  # j segments before a
    after = np.full((k_max + 1, n_series, size), -np.inf)  # r segments from b on
    before[0][:, 0] = 0.0
    after[0][:, n] = 0.0
    before[1:] = s.forward[:-1]
    after[1:] = s.backward[:-1]
    evidence = s.evidence
    out = np.zeros((n_series, k_max + 1, size, size))
    with np.errstate(invalid="ignore"):
        for k in range(k_max + 1):
            if not np.all(np.isfinite(evidence[:, k])):
                continue
            terms = [
                before[j][:, :, None] + log_m + after[k - j][:, None, :] for j in range(k + 1)
            ]
            out[:, k] = np.exp(logsumexp(np.stack(terms), axis=0) - evidence[:, k, None, None])
    return np.nan_to_num(out)
