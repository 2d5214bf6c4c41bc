"""Small archive files written in the exact published layouts (no archive rows shipped)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from periodize.adapters import column_list

#: POLECAT's columns as published on Dataverse (the reader needs only a few of them).
POLECAT_COLUMNS = (
    "Event ID", "Event Date", "Event Type", "Event Mode", "Intensity", "Quad Code", "Contexts",
    "Actor Name", "Actor Country", "Actor COW", "Primary Actor Sector", "Actor Sectors",
    "Actor Title", "Actor Name Raw", "Wikipedia Actor ID", "Recipient Name",
    "Recipient Country", "Recipient COW", "Primary Recipient Sector", "Recipient Sectors",
    "Recipient Title", "Recipient Name Raw", "Wikipedia Recipient ID", "Placename", "City",
    "State", "Country", "Latitude", "Longitude", "GeoNames ID", "Raw Placename",
    "Feature Type", "Source", "Publication Date", "Story People", "Story Organizations",
    "Story Locations", "Language", "Version", "Story ID",
)  # fmt: skip


def lines(names: Iterable[str], rows: Iterable[Mapping[str, str]], empty: str = "") -> list[str]:
    names = list(names)
    out = []
    for row in rows:
        unknown = set(row) - set(names)
        assert not unknown, unknown
        out.append("\t".join(str(row.get(n, empty)) for n in names))
    return out


def write(path: Path, text_lines: list[str], *, zipped: bool = False) -> Path:
    text = "\n".join(text_lines) + "\n"
    if zipped:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(path.stem, text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def gdelt(path: Path, rows: list[dict], layout: str = "gdelt2_61", **kw) -> Path:
    return write(path, lines(column_list(layout), rows), **kw)


def phoenix(path: Path, rows: list[dict], **kw) -> Path:
    return write(path, lines(column_list("phoenix"), rows), **kw)


def icews(path: Path, rows: list[dict], **kw) -> Path:
    names = column_list("icews")
    return write(path, ["\t".join(names), *lines(names, rows, empty="NA")], **kw)


def polecat(path: Path, rows: list[dict], header: list[str] | None = None, **kw) -> Path:
    names = list(POLECAT_COLUMNS)
    return write(path, ["\t".join(header or names), *lines(names, rows)], **kw)


def gdelt_row(i: int, date: str, a: str, b: str, code: str, url: str = "", **kw) -> dict:
    """A GDELT row: actor codes like ``"MNGGOV"`` (country + type) or ``"KAZ"``."""
    row = {
        "GLOBALEVENTID": str(i),
        "SQLDATE": date,
        "Actor1Code": a,
        "Actor1CountryCode": a[:3],
        "Actor1Type1Code": a[3:6],
        "Actor2Code": b,
        "Actor2CountryCode": b[:3],
        "Actor2Type1Code": b[3:6],
        "EventCode": code,
        "EventRootCode": code[:2],
        "QuadClass": "1",
        "GoldsteinScale": "1.9",
        "SOURCEURL": url,
    }
    row.update(kw)
    return row
