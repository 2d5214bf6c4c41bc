"""Country tables: ICEWS names and CAMEO codes to ISO, ISO <-> COW <-> GW."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from periodize.adapters import (
    cameo_to_iso,
    cow_to_iso,
    gw_to_iso,
    icews_to_iso,
    iso_to_cow,
    iso_to_gw,
    table_source,
)
from periodize.adapters.tables import cameo_codes, table
from periodize.events.vocabulary import iso3166_alpha3


def test_every_iso_code_is_a_cameo_code_of_itself_and_the_exceptions_map():
    iso = sorted(iso3166_alpha3())
    codes, why = cameo_to_iso(iso)
    assert list(codes) == iso and all(w is None for w in why)
    codes, _ = cameo_to_iso(["ROM", "TMP", "MTN", "IMY"])
    assert list(codes) == ["ROU", "TLS", "MNE", "IMN"]


def test_names_common_libraries_miss_are_mapped():
    names = ["North Korea", "South Korea", "Iran", "Vietnam", "Taiwan",
             "Occupied Palestinian Territory", "Kosovo", "Russian Federation"]  # fmt: skip
    codes, why = icews_to_iso(names)
    assert list(codes) == ["PRK", "KOR", "IRN", "VNM", "TWN", "PSE", "XKX", "RUS"]
    assert all(w is None for w in why)


def test_every_icews_name_maps_or_says_why_not():
    rows = table("icews_countries.csv")
    codes, why = icews_to_iso(rows["name"])
    assert all((c is None) != (w is None) for c, w in zip(codes, why, strict=True))
    assert set(c for c in codes if c) <= iso3166_alpha3() | {"XKX"}


def test_iso_cow_gw_round_trip_where_defined():
    states = table("states.csv")
    for row in states.itertuples():
        date = row.start or row.end or "2015-01-01"
        assert cow_to_iso([int(row.cow)], date=date)[0] == row.iso3
        assert iso_to_cow([row.iso3], date=date)[0] == int(row.cow)
        assert gw_to_iso([int(row.gw)], date=date)[0] == row.iso3
        assert iso_to_gw([row.iso3], date=date)[0] == int(row.gw)


@pytest.mark.parametrize(
    ("iso", "date", "cow", "gw"),
    [
        ("DEU", "1989-11-09", 260, 260),
        ("DEU", "1990-10-03", 255, 260),
        ("YEM", "1990-05-21", 678, 678),
        ("YEM", "1990-05-22", 679, 678),
        ("SRB", "2006-06-04", 345, 345),
        ("SRB", "2006-06-05", 345, 340),
        ("KAZ", "1991-12-15", None, None),  # not yet a member
    ],
)
def test_codes_change_on_the_dates_states_change(iso, date, cow, gw):
    assert iso_to_cow([iso], date=date)[0] == cow
    assert iso_to_gw([iso], date=date)[0] == gw


def test_without_a_date_an_ambiguous_code_has_no_answer():
    assert iso_to_cow(["DEU", "MNG"]).tolist() == [None, 712]


def test_cameo_table_quad_classes_and_sources():
    codes = cameo_codes()
    assert len(codes) == 312 and codes.index.is_unique
    root = codes.index.str.slice(0, 2).astype(int)
    expected = np.select([root <= 5, root <= 8, root <= 13], [1, 2, 3], 4)
    assert (codes["quad_class"].to_numpy() == expected).all()
    assert codes.loc["042", "goldstein"] == 1.9 and codes.loc["043", "goldstein"] == 2.8
    for name in ("cameo_codes.csv", "states.csv", "icews_countries.csv", "gdelt2_61.columns"):
        meta = table_source(name)
        assert meta["source"] and meta["licence"]
    assert pd.Series(codes.index).str.fullmatch(r"\d{2,4}").all()
