"""From archive codes to the event schema: which codes are which ``kind`` (and whether
actor and target swap so that the actor is the visitor), and the ``level`` rule.

Kinds (:data:`MACHINE_KINDS`). A mapping sends an archive code to a kind, or to
``(kind, "swap")`` or ``(kind, "mutual")``. CAMEO codes are matched exactly (``"042"``);
PLOVER codes are written ``"type/mode"`` and ``"type/*"`` matches any mode. ``"swap"``
makes the target the actor (the host of a visit reports it; the visitor becomes the
actor). ``"mutual"`` marks an act of both sides, reported from either: A→B and B→A
reports of it from the same story and day are one event. Presets:

- ``"visits"``: CAMEO 042 make a visit → ``visit``; 043 host a visit → ``visit``, swapped;
  044 meet at a third location → ``third_location_meeting``, mutual. PLOVER
  ``consult/visit`` → ``visit``, ``consult/third-party`` → ``third_location_meeting`` and
  ``consult/multilateral`` → ``multilateral_meeting``, both mutual.
- ``"diplomacy"``: the visits, plus CAMEO 040 consult, 041 telephone, 046 negotiate and
  057 sign formal agreement (all mutual), 045 mediate, and PLOVER ``consult/*`` →
  ``consultation``, ``consult/phone`` → ``telephone`` (mutual), ``agree/*`` →
  ``agreement``.

Levels (:data:`MACHINE_LEVELS`), first rule that matches:

- sector text (ICEWS ``Source Sectors``, POLECAT ``Primary Actor Sector``), a
  comma-separated list, case-insensitive, leaving out the sectors of international
  organisations (see below): "executive" → ``executive``; "foreign" →
  ``foreign_ministry``; "cabinet" → ``cabinet``; "legislat" or "parliament" →
  ``legislature``; "military", "armed forces", "defen[cs]e" → ``military``; "government"
  → ``government``; otherwise ``unknown``.
- CAMEO actor types (GDELT ``Actor1Type1Code``, Phoenix ``SourceActorRole``): GOV and JUD →
  ``government``, MIL → ``military``, LEG → ``legislature``; otherwise ``unknown``.

An actor is an *international organisation* (never a state) when one of its sectors names
one ("International Government Organization", "... IGO", "intergovernmental"), or its CAMEO
type is IGO, or its CAMEO actor code starts with IGO. Otherwise it is a *state actor* when
its level is not ``unknown`` or when the actor is the country itself: an ICEWS or POLECAT
actor name that names the same state as the country column (:func:`~periodize.adapters.
countries.state_name_to_iso`: "Russia" with country "Russian Federation"), a GDELT or
Phoenix actor code equal to the country code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ParameterError, PeriodizeTypeError
from .tables import per_distinct

__all__ = [
    "KIND_PRESETS",
    "MACHINE_KINDS",
    "MACHINE_LEVELS",
    "KindMapping",
    "igo_from_sectors",
    "igo_from_types",
    "kind_mapping",
]

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
    "044": ("third_location_meeting", "mutual"),
    "consult/visit": "visit",
    "consult/third-party": ("third_location_meeting", "mutual"),
    "consult/multilateral": ("multilateral_meeting", "mutual"),
}
KIND_PRESETS: dict[str, dict[str, str | tuple[str, str]]] = {
    "visits": _VISITS,
    "diplomacy": _VISITS
    | {
        "040": ("consultation", "mutual"),
        "041": ("telephone", "mutual"),
        "045": "mediation",
        "046": ("negotiation", "mutual"),
        "057": ("agreement", "mutual"),
        "consult/*": "consultation",
        "consult/phone": ("telephone", "mutual"),
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
#: A sector that names an international organisation (ICEWS "International Government
#: Organization", "Regional Diplomatic IGOs", POLECAT "IGO"), never a state's organ.
_IGO_SECTOR = re.compile(r"\bIGOs?\b|international government|inter-?governmental", re.I)
_MARKS = ("swap", "mutual")


class KindMapping:
    """Archive code → (kind, swap, mutual) with a vectorised lookup.

    Examples
    --------
    >>> m = kind_mapping("visits")
    >>> kinds, swap, mutual, known = m.lookup(np.array(["043", "044", "010"], dtype=object))
    >>> list(kinds)
    ['visit', 'third_location_meeting', None]
    >>> swap.tolist(), mutual.tolist(), known.tolist()
    ([True, False, False], [False, True, False], [True, True, False])
    """

    def __init__(self, mapping: Mapping[str, str | tuple[str, str]], name: str) -> None:
        self.name = name
        self.kinds: dict[str, str] = {}
        self.swap: dict[str, bool] = {}
        self.mutual: dict[str, bool] = {}
        for code, target in mapping.items():
            if isinstance(target, str):
                kind, mark = target, None
            elif (
                isinstance(target, tuple)
                and len(target) == 2
                and isinstance(target[0], str)
                and target[1] in _MARKS
            ):
                kind, mark = target
            else:
                raise ParameterError(
                    f"A kind mapping sends a code to a kind, to (kind, 'swap') or to (kind, "
                    f"'mutual'); code {code!r} is sent to {target!r}."
                )
            self.kinds[str(code)] = kind
            self.swap[str(code)] = mark == "swap"
            self.mutual[str(code)] = mark == "mutual"

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """The kinds a table read with this mapping may hold."""
        extra = sorted(set(self.kinds.values()) - set(MACHINE_KINDS))
        return (*MACHINE_KINDS, *extra)

    @property
    def codes(self) -> list[str]:
        """The codes (exact ones, not ``type/*`` patterns) the mapping knows."""
        return [code for code in self.kinds if not code.endswith("/*")]

    def lookup(self, codes: Any, modes: Any = None) -> tuple:
        """Kind, swap flag, mutual flag and known flag of every code (``type/mode`` when
        modes are given); each distinct code is looked up once."""
        keys = codes
        if modes is not None:
            types = pd.Series(np.asarray(codes, dtype=object)).fillna("").astype(str)
            keys = types + "/" + pd.Series(np.asarray(modes, dtype=object)).fillna("").astype(str)
        entries = list(self.kinds)  # row i of the tables below; the last row: not mapped
        row = {key: i for i, key in enumerate(entries)}
        found = per_distinct(keys, lambda v: [row.get(self._resolve(k), -1) for k in v], -1)
        index = found.astype(np.int64)
        kinds = np.array([*(self.kinds[k] for k in entries), None], dtype=object)[index]
        swap = np.array([*(self.swap[k] for k in entries), False])[index]
        mutual = np.array([*(self.mutual[k] for k in entries), False])[index]
        return kinds, swap, mutual, index >= 0

    def _resolve(self, key: str) -> str:
        """The mapping's key for a code: itself, or ``type/*`` for an unlisted mode."""
        if key in self.kinds or "/" not in key:
            return key
        return key.split("/")[0] + "/*"


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
    return per_distinct(sectors, lambda v: [_sector_level(x) for x in v], missing="unknown")


def _sector_level(text: str) -> str:
    """The level of one sector list: its first rule that matches, leaving out the sectors
    of international organisations."""
    own = ",".join(s for s in str(text).split(",") if not _IGO_SECTOR.search(s)).lower()
    return next((name for name, pattern in _SECTOR_RULES if re.search(pattern, own)), "unknown")


def igo_from_sectors(sectors: pd.Series) -> np.ndarray:
    """Whether an actor's sectors name an international organisation.

    Examples
    --------
    >>> igo_from_sectors(pd.Series(["International Government Organization,Government",
    ...     "Government,Executive", None])).tolist()
    [True, False, False]
    """
    igo = per_distinct(sectors, lambda v: [bool(_IGO_SECTOR.search(str(x))) for x in v], False)
    return igo.astype(bool)


def igo_from_types(types: pd.Series, codes: pd.Series | None = None) -> np.ndarray:
    """Whether a CAMEO actor is an international organisation: type IGO, or an actor code
    that starts with IGO.

    Examples
    --------
    >>> types = pd.Series(["IGO", "GOV", None])
    >>> igo_from_types(types, pd.Series(["IGOEEC", "MNGGOV", "IGOUNO"])).tolist()
    [True, False, True]
    """
    igo = per_distinct(types, lambda v: [x == "IGO" for x in v], False).astype(bool)
    if codes is not None:
        prefix = per_distinct(codes, lambda v: [str(x).startswith("IGO") for x in v], False)
        igo = igo | prefix.astype(bool)
    return igo


def level_from_types(types: pd.Series) -> np.ndarray:
    """Level of each actor from CAMEO actor type codes (GDELT, Phoenix).

    Examples
    --------
    >>> list(level_from_types(pd.Series(["GOV", "MIL", "BUS", None])))
    ['government', 'military', 'unknown', 'unknown']
    """
    return per_distinct(types, lambda v: [_TYPE_RULES.get(x, "unknown") for x in v], "unknown")
