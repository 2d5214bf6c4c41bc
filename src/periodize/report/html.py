"""``report.html``: the study report as one self-contained page (styles inline, the figure
as inline SVG, no scripts and nothing fetched), with the same sections as ``report.md``."""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

from .sections import sections

STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto;
       padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem;
     border-bottom: 1px solid #ddd; }
li { margin: .35rem 0; }
table { border-collapse: collapse; font-size: 13px; margin: .5rem 0; display: block;
        overflow-x: auto; }
th, td { border: 1px solid #ddd; padding: .2rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f4f4f4; }
pre { background: #f6f6f6; padding: .7rem; overflow-x: auto; font-size: 12.5px; }
figure { margin: 1rem 0; } figure svg { width: 100%; height: auto; }
"""

_MARKS = [
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(`+) (.+?) \1"), r"<code>\2</code>"),
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
]


def _inline(text: str) -> str:
    """Escaped text with ``**bold**`` and ```code``` marks made HTML (the text's own
    characters are escaped first, so data cannot add markup)."""
    out = html.escape(text, quote=False)
    for pattern, replacement in _MARKS:
        out = pattern.sub(replacement, out)
    return out


def _table(frame: pd.DataFrame) -> str:
    flat = frame.reset_index()
    flat.columns = [str(c) for c in flat.columns]
    for column in flat.columns:
        if pd.api.types.is_float_dtype(flat[column]):
            flat[column] = flat[column] + 0.0  # no "-0"; NaN shown empty by na_rep
            continue
        flat[column] = [
            ", ".join(map(str, v)) if isinstance(v, list | tuple) else ("" if pd.isna(v) else v)
            for v in flat[column]
        ]
    return flat.to_html(
        index=False, escape=True, na_rep="", float_format=lambda v: f"{v:.3g}", border=0
    )


def html_report(study: Any, svg: bytes) -> str:
    """The report page of ``study`` with ``svg`` (the figure) inline.

    Examples
    --------
    >>> import periodize as pz
    >>> s = pz.study(pz.datasets.mongolia_kazakhstan(), (2009, 2019), n_sim=99)  # doctest: +SKIP
    >>> page = html_report(s, s.files()["figure.svg"])  # doctest: +SKIP
    """
    figure = svg.decode("utf-8")
    figure = figure[figure.index("<svg") :]  # drop the XML prolog and doctype
    title = html.escape(f"Periodization report: {' '.join(str(study.title).split())}")
    body = [f"<h1>{title}</h1>"]
    for i, section in enumerate(sections(study, lambda v: " ".join(str(v).split()))):
        body.append(f"<h2>{_inline(section.title)}</h2>")
        if section.bullets:
            body.append(
                "<ul>" + "".join(f"<li>{_inline(b)}</li>" for b in section.bullets) + "</ul>"
            )
        if i == 0:
            body.append(f'<figure role="img" aria-label="{title}">{figure}</figure>')
        body += [f"<p>{_inline(p)}</p>" for p in section.text]
        if section.table is not None:
            body.append(_table(section.table))
        if section.code is not None:
            body.append(f"<pre>{html.escape(section.code)}</pre>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
