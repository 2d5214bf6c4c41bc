"""One event per real-world event: the rules that merge an archive's reports.

Applied in this order to the rows that passed every filter, each merged row counted in
the row account under its reason:

1. ``duplicate_row``: a row identical to another in every field kept.
2. ``duplicate_id``: another version of an archive id (ICEWS publishes some events twice,
   with two dates): the earliest date is kept.
3. ``mirrored_report``: the other side's report of the same event, same story and day: the
   host's 043 "host a visit" of the visitor's 042 (after the swap both say A visited B),
   or B's report of a *mutual* act that A also reported (CAMEO 044 "meet at a third
   location" as A meets B and as B meets A).
4. ``same_story``: another report of the same event by the same side, same story and day.
5. ``one_per_day`` (asked for): one event per day, dyad, direction and code.

A merged event is its *representative* report: the one with the lowest event code (a
visitor's 042 before the host's 043), ties broken by the event id (first in text order).
It keeps that report's direction, code, Goldstein value, names and story, and
``n_reports`` counts the reports merged into it. Nothing depends on the order of rows in
the files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .account import RowAccount

__all__ = ["merge_reports"]


def merge_reports(
    events: pd.DataFrame,
    *,
    reporter: np.ndarray,
    mutual: np.ndarray,
    account: RowAccount,
    one_per_day: bool = False,
) -> pd.DataFrame:
    """Merge an archive's reports of one event into one row (see the module docstring).

    Parameters
    ----------
    events : DataFrame
        Rows in the event schema with ``event_id``, ``date``, ``actor``, ``target``,
        ``kind``, ``story`` and the archive code (``cameo_code`` or ``plover_type``).
    reporter : array of str
        Each row's actor as the archive reported it (before a 043 swap).
    mutual : array of bool
        Whether each row's code is a mutual act.
    account : RowAccount
        Receives the merged rows, by reason.
    one_per_day : bool
        Also keep one event per day, dyad, direction and code.

    Returns
    -------
    DataFrame
        One row per event, sorted by date, actor, target and event id, with ``n_reports``.
    """
    code = ["cameo_code"] if "cameo_code" in events else ["plover_type", "plover_mode"]
    frame = events.assign(_reporter=reporter, _mutual=mutual, _story=events["story"].fillna(""))

    duplicate = frame.duplicated(list(events.columns)).to_numpy()
    account.merge("duplicate_row", int(duplicate.sum()))
    frame = frame[~duplicate]

    # versions of one id: the earliest date, ties broken by every other field (few rows)
    repeated = frame.duplicated("event_id", keep=False).to_numpy()
    if repeated.any():
        rest = [c for c in frame.columns if c not in ("event_id", "date")]
        versions = frame[repeated].sort_values(["event_id", "date", *rest], kind="stable")
        later = versions.duplicated("event_id").to_numpy()
        account.merge("duplicate_id", int(later.sum()))
        frame = pd.concat([frame[~repeated], versions[~later]])
    # a total order of the reports (ids are unique now), whatever order they were read in
    frame = frame.sort_values([*code, "event_id"], kind="stable")

    actor, target = frame["actor"].to_numpy(), frame["target"].to_numpy()
    flip = frame["_mutual"].to_numpy(dtype=bool) & (target < actor)  # a mutual act's pair
    frame = frame.assign(_low=np.where(flip, target, actor), _high=np.where(flip, actor, target))
    keys = ["date", "kind", "_story", "_mutual", "_low", "_high"]
    if one_per_day:
        keys = ["date", "actor", "target", *code]
    groups = frame.groupby(keys, sort=False, dropna=False)
    first = (groups.cumcount() == 0).to_numpy()  # the representative: first in that order
    if one_per_day:
        account.merge("one_per_day", int((~first).sum()))
    else:
        mirrored = (frame["_reporter"] != groups["_reporter"].transform("first")).to_numpy()
        account.merge("mirrored_report", int((~first & mirrored).sum()))
        account.merge("same_story", int((~first & ~mirrored).sum()))
    size = groups["event_id"].transform("size").to_numpy()
    merged = frame[first][list(events.columns)].assign(n_reports=size[first])
    order = ["date", "actor", "target", "event_id"]
    return merged.sort_values(order, kind="stable").reset_index(drop=True)
