"""The line rules of archive text: the check of line lengths equals measuring every line,
however the stream is cut into blocks; a line over the limit is refused on both readers,
in a plain file and in a zip, before it is held whole."""

from __future__ import annotations

import re
import zipfile

import archive_files as af
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from periodize.adapters import lines as lines_module
from periodize.adapters import pipeline, read_gdelt
from periodize.adapters.lines import LineLengths
from periodize.exceptions import ParameterError

LIMIT = 64


def longest(data: bytes) -> int:
    return max(len(line) for line in re.split(rb"[\r\n]", data))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3 * LIMIT), st.sampled_from([b"\n", b"\r", b"\r\n", b""])),
        max_size=8,
    ),
    st.lists(st.integers(1, 4 * LIMIT), min_size=1, max_size=5),
)
def test_the_check_equals_measuring_every_line(short_lines, parts, cuts):
    data = b"".join(b"x" * size + end for size, end in parts)
    lengths, start, refused = LineLengths("f"), 0, False
    try:
        for k in range(len(data) + 1):
            if start >= len(data):
                break
            stop = min(len(data), start + cuts[k % len(cuts)])
            lengths.feed(data, start, stop)
            start = stop
    except ParameterError:
        refused = True
    assert refused == (longest(data) > LIMIT)


@pytest.fixture(scope="module")
def short_lines():
    patch = pytest.MonkeyPatch()
    patch.setattr(lines_module, "MAX_LINE_BYTES", LIMIT)
    yield patch
    patch.undo()


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("zipped", [False, True])
def test_a_line_over_the_limit_is_refused_by_both_readers(tmp_path, monkeypatch, compiled, zipped):
    monkeypatch.setattr(lines_module, "MAX_LINE_BYTES", 4000)
    monkeypatch.setattr(pipeline, "COMPILED", compiled)
    rows = [af.gdelt_row(i, "20190310", "MNGGOV", "KAZ", "042", f"u{i}") for i in (1, 2, 3)]
    lines = af.lines(af.column_list("gdelt2_61"), rows)
    lines[1] = lines[1].replace("\tu2", "\t" + "u" * 5000)
    text = "\n".join(lines) + "\n"
    if zipped:
        path = tmp_path / "day.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("20190310.export.CSV", text)
        label = f"{path}!20190310.export.CSV"
    else:
        path = tmp_path / "20190310.export.CSV"
        path.write_text(text)
        label = str(path)
    with pytest.raises(ParameterError, match="holds a line longer than 0 MiB") as refused:
        read_gdelt(path)
    assert str(refused.value).startswith(label)
    lines[1] = lines[1].replace("u" * 5000, "u" * 3500)  # the line under the limit: read
    (tmp_path / "ok.CSV").write_text("\n".join(lines) + "\n")
    assert read_gdelt(tmp_path / "ok.CSV")["story"].str.len().max() == 3500
