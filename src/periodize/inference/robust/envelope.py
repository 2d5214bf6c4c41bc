"""The weight envelope: many weight vectors that respect a scheme's declared order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...exceptions import ParameterError
from ...intensity.schemes import WeightingScheme


def _tier_values(
    tiers: tuple[tuple[str, ...], ...], draws: int, generator: np.random.Generator
) -> dict[str, np.ndarray]:
    """Uniform(0, 1) values sorted so that earlier tiers weigh strictly more; values within
    a tier are equal."""
    values = -np.sort(-generator.random((draws, len(tiers))), axis=1)
    return {name: values[:, t] for t, tier in enumerate(tiers) for name in tier}


def unranked(scheme: WeightingScheme, events: pd.DataFrame) -> list[str]:
    """The levels and kinds of ``events`` that the scheme's declared order does not rank
    (a vocabulary of one's own: the envelope cannot say where they stand)."""
    levels = {name for tier in scheme.level_order or () for name in tier}
    kinds = {name for tier in scheme.kind_order or () for name in tier}
    return sorted(set(events["level"].astype(str)) - levels) + sorted(
        set(events["kind"].astype(str)) - kinds
    )


def envelope_event_weights(
    scheme: WeightingScheme, events: pd.DataFrame, draws: int, generator: np.random.Generator
) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Event weights ``(draws, events)``: level value × kind value, each drawn within the
    scheme's declared order (``level_order``, ``kind_order``). Also returns the level and kind
    values drawn, for checking and reporting."""
    if not scheme.level_order or not scheme.kind_order:
        raise ParameterError(
            f"The weight envelope needs a scheme that declares level_order and kind_order; "
            f"{scheme.name!r} does not."
        )
    levels = _tier_values(scheme.level_order, draws, generator)
    kinds = _tier_values(scheme.kind_order, draws, generator)
    missing = unranked(scheme, events)
    if missing:
        raise ParameterError(
            f"The order of scheme {scheme.name!r} does not rank {missing}, which the events use."
        )
    level_matrix = np.column_stack([levels[v] for v in events["level"].astype(str)])
    kind_matrix = np.column_stack([kinds[v] for v in events["kind"].astype(str)])
    return level_matrix * kind_matrix, levels, kinds
