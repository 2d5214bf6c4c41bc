"""The study report: a plain-language answer first, then the tables, then provenance."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from .sections import sections

_MARKUP = re.compile(r"([\\`*_\[\]<>|~&#!])")


def inline(value: Any) -> str:
    """Text from the data (titles, ids, names) as inert Markdown: one line, markup escaped,
    so an event id cannot add a heading, a link or HTML to the report."""
    return _MARKUP.sub(r"\\\1", " ".join(str(value).split()))


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(inline(v) for v in value)
    if pd.isna(value):  # None, NaN, pd.NA
        return ""
    if isinstance(value, float):
        return f"{value + 0.0:.{digits}g}"  # + 0.0: no "-0"
    return inline(value)


def _table(frame: pd.DataFrame, digits: int = 3) -> str:
    """A GitHub-flavoured Markdown table of a frame, index included."""
    flat = frame.reset_index()
    header = "| " + " | ".join(inline(c) for c in flat.columns) + " |"
    rule = "|" + "|".join("---" for _ in flat.columns) + "|"
    rows = [
        "| " + " | ".join(_cell(v, digits) for v in row) + " |"
        for row in flat.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])


def report(study: Any) -> str:
    """The full Markdown report (the sections of :func:`periodize.report.sections.sections`)."""
    lines = [f"# Periodization report: {inline(study.title)}", ""]
    for section in sections(study, inline):
        lines += [f"## {section.title}", ""]
        if section.bullets:
            lines += [*[f"- {line}" for line in section.bullets], ""]
        for paragraph in section.text:
            lines += [paragraph, ""]
        if section.table is not None:
            lines += [_table(section.table), ""]
        if section.code is not None:
            lines += ["```", section.code, "```", ""]
    return "\n".join(lines)
