"""Country codes for synthetic events: ISO 3166-1 user-assigned alpha-3 codes (AAA–AAZ,
QMA–QZZ, XAA–XZZ, ZZA–ZZZ), which no real country has."""

from __future__ import annotations

import string

from ..exceptions import ParameterError

LETTERS = string.ascii_uppercase


def user_assigned_codes() -> list[str]:
    """All 1,092 user-assigned alpha-3 codes (26 + 14 × 26 + 26 × 26 + 26), sorted.

    Examples
    --------
    >>> codes = user_assigned_codes()
    >>> len(codes), codes[:2], codes[-1]
    (1092, ['AAA', 'AAB'], 'ZZZ')
    """
    codes = [f"AA{c}" for c in LETTERS]
    codes += [f"Q{b}{c}" for b in LETTERS[LETTERS.index("M") :] for c in LETTERS]
    codes += [f"X{b}{c}" for b in LETTERS for c in LETTERS]
    codes += [f"ZZ{c}" for c in LETTERS]
    return sorted(codes)


#: Distinct dyads (unordered pairs) the user-assigned codes can name: 1,092 · 1,091 / 2.
MAX_DYADS = 1092 * 1091 // 2


def dyad_codes(n_dyads: int) -> tuple[list[str], list[str]]:
    """Actor and target codes of ``n_dyads`` distinct dyads (unordered pairs), at most
    :data:`MAX_DYADS`."""
    if n_dyads > MAX_DYADS:
        raise ParameterError(
            f"Only {MAX_DYADS:,} distinct dyads can be named with the user-assigned codes; "
            f"got n_dyads={n_dyads:,}."
        )
    codes = user_assigned_codes()
    actors: list[str] = []
    targets: list[str] = []
    gap = 1
    while len(actors) < n_dyads:
        for i in range(len(codes) - gap):
            actors.append(codes[i])
            targets.append(codes[i + gap])
            if len(actors) == n_dyads:
                break
        gap += 1
    return actors, targets
