"""From archive codes to the event schema: which codes are which ``kind`` (and whether
actor and target swap so that the actor is the visitor), and the ``level`` rule.

Kinds (:data:`MACHINE_KINDS`). A mapping sends an archive code to a kind, or to
``(kind, "swap")``. CAMEO codes are matched exactly (``"042"``); PLOVER codes are written
``"type/mode"`` and ``"type/*"`` matches any mode. Presets:

- ``"visits"``: CAMEO 042 make a visit → ``visit``; 043 host a visit → ``visit`` with actor
  and target swapped (the visitor becomes the actor); 044 meet at a third location →
  ``third_location_meeting``. PLOVER ``consult/visit`` → ``visit``, ``consult/third-party``
  → ``third_location_meeting``, ``consult/multilateral`` → ``multilateral_meeting``.
- ``"diplomacy"``: the visits, plus CAMEO 040 consult, 041 telephone, 045 mediate, 046
  negotiate, 057 sign formal agreement, and PLOVER ``consult/*`` → ``consultation``,
  ``consult/phone`` → ``telephone``, ``agree/*`` → ``agreement``.

Levels (:data:`MACHINE_LEVELS`), first rule that matches:

- sector text (ICEWS ``Source Sectors``, POLECAT ``Primary Actor Sector``), case-insensitive:
  "executive" → ``executive``; "foreign" → ``foreign_ministry``; "cabinet" → ``cabinet``;
  "legislat" or "parliament" → ``legislature``; "military", "armed forces", "defen[cs]e" →
  ``military``; "government" → ``government``; otherwise ``unknown``.
- CAMEO actor types (GDELT ``Actor1Type1Code``, Phoenix ``SourceActorRole``): GOV and JUD →
  ``government``, MIL → ``military``, LEG → ``legislature``; otherwise ``unknown``.

An actor is a *state actor* when its level is not ``unknown`` or when the actor is the
country itself (ICEWS name equal to the country, GDELT actor code equal to the country
code, Phoenix full actor equal to the entity).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..exceptions import ParameterError, PeriodizeTypeError

__all__ = ["KIND_PRESETS", "MACHINE_KINDS", "MACHINE_LEVELS", "KindMapping", "kind_mapping"]

MACHINE_KINDS: tuple[str, ...] = (
    "visit",
    "third_location_meeting",
    "multilateral_meeting",
    "consultation",
    "telephone",
    "negotiation",
    "mediation",
    "agreement",
    "other",
)
MACHINE_LEVELS: tuple[str, ...] = (
    "executive",
    "foreign_ministry",
    "cabinet",
    "legislature",
    "government",
    "military",
    "unknown",
)
_VISITS: dict[str, str | tuple[str, str]] = {
    "042": "visit",
    "043": ("visit", "swap"),
    "044": "third_location_meeting",
    "consult/visit": "visit",
    "consult/third-party": "third_location_meeting",
    "consult/multilateral": "multilateral_meeting",
}
KIND_PRESETS: dict[str, dict[str, str | tuple[str, str]]] = {
    "visits": _VISITS,
    "diplomacy": _VISITS
    | {
        "040": "consultation",
        "041": "telephone",
        "045": "mediation",
        "046": "negotiation",
        "057": "agreement",
        "consult/*": "consultation",
        "consult/phone": "telephone",
        "agree/*": "agreement",
    },
}
_SECTOR_RULES = (
    ("executive", r"executive"),
    ("foreign_ministry", r"foreign"),
    ("cabinet", r"cabinet"),
    ("legislature", r"legislat|parliament"),
    ("military", r"military|armed forces|defen[cs]e"),
    ("government", r"government"),
)
_TYPE_RULES = {"GOV": "government", "JUD": "government", "MIL": "military", "LEG": "legislature"}


class KindMapping:
    """Archive code → (kind, swap) with a vectorised lookup.

    Examples
    --------
    >>> m = kind_mapping("visits")
    >>> kinds, swap, known = m.lookup(np.array(["043", "010", "042"], dtype=object))
    >>> list(kinds), swap.tolist(), known.tolist()
    (['visit', None, 'visit'], [True, False, False], [True, False, True])
    """

    def __init__(self, mapping: Mapping[str, str | tuple[str, str]], name: str) -> None:
        self.name = name
        self.kinds: dict[str, str] = {}
        self.swap: dict[str, bool] = {}
        for code, target in mapping.items():
            if isinstance(target, str):
                kind, swap = target, False
            elif (
                isinstance(target, tuple)
                and len(target) == 2
                and isinstance(target[0], str)
                and target[1] == "swap"
            ):
                kind, swap = target[0], True
            else:
                raise ParameterError(
                    f"A kind mapping sends a code to a kind or to (kind, 'swap'); code "
                    f"{code!r} is sent to {target!r}."
                )
            self.kinds[str(code)] = kind
            self.swap[str(code)] = swap

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """The kinds a table read with this mapping may hold."""
        extra = sorted(set(self.kinds.values()) - set(MACHINE_KINDS))
        return (*MACHINE_KINDS, *extra)

    @property
    def codes(self) -> list[str]:
        """The codes (exact ones, not ``type/*`` patterns) the mapping knows."""
        return [code for code in self.kinds if not code.endswith("/*")]

    def lookup(self, codes: np.ndarray, modes: np.ndarray | None = None) -> tuple:
        """Kind, swap flag and known flag of every code (``type/mode`` when modes given)."""
        keys = pd.Series(codes, dtype=object)
        if modes is not None:
            types = keys.fillna("").astype(str)
            exact = (types + "/" + pd.Series(modes, dtype=object).fillna("").astype(str)).map(
                self.kinds
            )
            kinds = exact.fillna((types + "/*").map(self.kinds))
            keys = (types + "/" + pd.Series(modes, dtype=object).fillna("").astype(str)).where(
                exact.notna(), types + "/*"
            )
        else:
            kinds = keys.map(self.kinds)
        swap = keys.map(self.swap).fillna(False).to_numpy(dtype=bool)
        known = kinds.notna().to_numpy(dtype=bool)
        values = kinds.to_numpy(dtype=object)
        values[~known] = None
        return values, swap, known


def kind_mapping(kinds: str | Mapping[str, str | tuple[str, str]]) -> KindMapping:
    """Resolve ``kinds=`` of an archive reader: a preset name or a mapping.

    Examples
    --------
    >>> kind_mapping({"057": "agreement"}).vocabulary[-1]
    'other'
    """
    if isinstance(kinds, str):
        if kinds not in KIND_PRESETS:
            raise ParameterError(
                f"The 'kinds' parameter must be one of {sorted(KIND_PRESETS)} or a mapping "
                f"of codes to kinds. Got {kinds!r} instead."
            )
        return KindMapping(KIND_PRESETS[kinds], kinds)
    if not isinstance(kinds, Mapping) or not kinds:
        raise PeriodizeTypeError(
            "The 'kinds' parameter must be a preset name or a non-empty mapping of codes to "
            f"kinds, such as {{'042': 'visit'}}. Got {kinds!r} instead."
        )
    return KindMapping(kinds, "user")


def level_from_sectors(sectors: pd.Series) -> np.ndarray:
    """Level of each actor from sector text (ICEWS, POLECAT), by the module's rule.

    Examples
    --------
    >>> list(level_from_sectors(pd.Series(["Elite,Government,Foreign Ministry", None, "Media"])))
    ['foreign_ministry', 'unknown', 'unknown']
    """
    text = sectors.astype("string").str.lower()
    level = np.full(len(text), "unknown", dtype=object)
    for name, pattern in reversed(_SECTOR_RULES):  # earlier rules win
        hit = text.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)
        level[hit] = name
    return level


def level_from_types(types: pd.Series) -> np.ndarray:
    """Level of each actor from CAMEO actor type codes (GDELT, Phoenix).

    Examples
    --------
    >>> list(level_from_types(pd.Series(["GOV", "MIL", "BUS", None])))
    ['government', 'military', 'unknown', 'unknown']
    """
    return types.map(_TYPE_RULES).fillna("unknown").to_numpy(dtype=object)
