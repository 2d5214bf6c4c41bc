"""Type aliases and option sets shared across periodize (one home for them)."""

from __future__ import annotations

import os
from typing import Literal, TypeAlias

import numpy as np

#: An ``rng`` argument: an int seed, a Generator, or None for fresh entropy.
RandomState: TypeAlias = int | np.random.Generator | None
#: A file path argument.
PathLike: TypeAlias = str | os.PathLike[str]

Freq: TypeAlias = Literal["year", "quarter", "month", "week", "day"]
By: TypeAlias = Literal["dyad", "direction"] | None
Stratify: TypeAlias = Literal["level", "kind", "quad_class"] | None

FREQS: tuple[str, ...] = ("year", "quarter", "month", "week", "day")
BYS: tuple[str | None, ...] = ("dyad", "direction", None)
STRATIFY: tuple[str | None, ...] = ("level", "kind", "quad_class", None)
