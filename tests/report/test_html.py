"""report.html: one self-contained page that parses, holds the figure, every table of
report.md and the same Answer, and cannot be made to run code by the data."""

import html
import re
from html.parser import HTMLParser

import pytest

import periodize as pz

VOID = {"meta", "br", "img", "hr", "input", "link"}


class Checker(HTMLParser):
    """Balanced tags (SVG's self-closing ones included); every table and text kept."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.tables, self.tags, self.text = [], 0, [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.tables += tag == "table"
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def dyad():
    events, _ = pz.simulate_events(
        n_dyads=1, years=range(1995, 2021), boundaries=(2005,), rates=(0.5, 2.5), rng=7
    )
    events = events.copy()
    events.loc[events.index[0], "event_id"] = "<script>alert(1)</script>**x**"
    return pz.study(
        events, {"h": (2005,)}, n_sim=199, envelope_draws=50, rng=0, title="A <b>dyad</b> & co"
    )


def test_page_parses_and_holds_every_table_and_the_figure(dyad):
    files = dyad.files()
    page = files["report.html"].decode()
    checker = Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == []
    markdown = files["report.md"].decode()
    assert checker.tables == len(re.findall(r"^\|---", markdown, flags=re.M))
    assert "svg" in checker.tags and page.count("<svg") == 1
    assert "<script" not in page.replace("&lt;script", "")
    assert "http://" not in page.split("<svg", 1)[0]  # nothing fetched before the figure
    text = " ".join(" ".join(checker.text).split())
    for line in dyad.to_dict()["answer"]:
        assert " ".join(line.split()) in text
    assert "A <b>dyad</b> & co" in text  # the title shown as text, not markup


def test_notebook_representations(dyad):
    body = dyad._repr_html_()
    assert body.lstrip().startswith("<h1>") and "<svg" in body
    shown = dyad.test._repr_html_()
    assert shown.startswith('<div class="periodize">') and "<table" in shown
    folded = shown.split("<pre>", 1)[1].rsplit("</pre>", 1)[0]
    assert html.unescape(folded) == str(dyad.test)  # the whole summary, escaped
