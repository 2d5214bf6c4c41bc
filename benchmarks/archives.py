"""Reading a machine-coded archive: ``read_gdelt`` with a dyad filter (read, filter, map,
validate, end to end), and with no filter at all (every code mapped to a kind, every
international state-to-state row kept, merged and validated), against plain
``pandas.read_csv`` and ``pyarrow.csv.read_csv`` of the same columns of the same file.

The file is GDELT 2.0 (61 tab-separated fields, no header) written by the benchmark with
realistic field contents; a small share of rows are Mongolia–Kazakhstan visits. Each
method runs in its own process, whose peak resident memory is reported.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from periodize.adapters import column_list

SIZES = {"quick": 20_000, "default": 10_000_000, "large": 30_000_000}
NEEDED = ["GLOBALEVENTID", "SQLDATE", "Actor1Code", "Actor1CountryCode", "Actor1Type1Code",
          "Actor2Code", "Actor2CountryCode", "Actor2Type1Code", "EventCode", "QuadClass",
          "GoldsteinScale", "SOURCEURL"]  # fmt: skip
_COUNTRIES = ["USA", "CHN", "RUS", "GBR", "FRA", "DEU", "IND", "JPN", "TUR", "IRN",
              "ISR", "UKR", "KAZ", "MNG", "PAK", "EGY", "NGA", "BRA", "MEX", "ROM",
              "AFR", ""]  # fmt: skip
_CODES = ["010", "020", "036", "040", "042", "043", "044", "046", "051", "057", "112", "190"]


def write_gdelt(path: Path, n_rows: int, seed: int = 7) -> None:
    """A GDELT 2.0 export file of ``n_rows`` rows, written in blocks by pyarrow."""
    import pyarrow as pa
    from pyarrow import csv

    names = column_list("gdelt2_61")
    rng = np.random.default_rng(seed)
    options = csv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")
    with csv.CSVWriter(str(path), _schema(names), write_options=options) as writer:
        for start in range(0, n_rows, 1_000_000):
            n = min(1_000_000, n_rows - start)
            writer.write_table(pa.table(_block(names, start, n, rng), schema=_schema(names)))


def _schema(names: tuple[str, ...]) -> Any:
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in names])


def _pick(pool: list[str], n: int, rng: np.random.Generator) -> Any:
    import pyarrow as pa

    indices = pa.array(rng.integers(0, len(pool), n).astype(np.int32))
    return pa.DictionaryArray.from_arrays(indices, pa.array(pool)).cast(pa.string())


def _block(names: tuple[str, ...], start: int, n: int, rng: np.random.Generator) -> dict:
    import pyarrow as pa

    days = [f"20{y:02d}{m:02d}{d:02d}" for y in (15, 16) for m in (1, 6, 11) for d in (3, 17)]
    planted = pa.array((np.arange(start, start + n) % 997) == 0)  # a visit every 997 rows
    a1 = pa.compute.if_else(planted, "MNG", _pick(_COUNTRIES, n, rng))
    a2 = pa.compute.if_else(planted, "KAZ", _pick(_COUNTRIES, n, rng))
    types = ["GOV", "MIL", "BUS", "", "", "CVL"]
    columns: dict[str, Any] = {name: pa.nulls(n, pa.string()).fill_null("") for name in names}
    columns["GLOBALEVENTID"] = pa.array(np.arange(start, start + n).astype(str))
    columns["SQLDATE"] = _pick(days, n, rng)
    columns["MonthYear"] = pa.compute.utf8_slice_codeunits(columns["SQLDATE"], 0, 6)
    columns["Year"] = pa.compute.utf8_slice_codeunits(columns["SQLDATE"], 0, 4)
    columns["FractionDate"] = _pick(["2015.0027", "2016.4548", "2015.8795"], n, rng)
    columns["Actor1CountryCode"], columns["Actor2CountryCode"] = a1, a2
    columns["Actor1Type1Code"] = pa.compute.if_else(planted, "GOV", _pick(types, n, rng))
    columns["Actor2Type1Code"] = _pick(types, n, rng)
    columns["Actor1Code"] = pa.compute.binary_join_element_wise(a1, columns["Actor1Type1Code"], "")
    columns["Actor2Code"] = pa.compute.binary_join_element_wise(a2, columns["Actor2Type1Code"], "")
    columns["Actor1Name"] = _pick(
        ["UNITED STATES", "CHINA", "MONGOLIA", "KAZAKHSTAN", "PRESIDENT"], n, rng
    )
    columns["Actor2Name"] = _pick(["RUSSIA", "ULAANBAATAR", "ASTANA", "MINISTRY", ""], n, rng)
    code = pa.compute.if_else(planted, "042", _pick(_CODES, n, rng))
    columns["EventCode"] = columns["EventBaseCode"] = code
    columns["EventRootCode"] = pa.compute.utf8_slice_codeunits(code, 0, 2)
    columns["IsRootEvent"] = _pick(["0", "1"], n, rng)
    columns["QuadClass"] = _pick(["1", "2", "3", "4"], n, rng)
    columns["GoldsteinScale"] = _pick(["1.9", "2.8", "-10.0", "3.4", "7.0"], n, rng)
    for name in ("NumMentions", "NumSources", "NumArticles"):
        columns[name] = _pick(["1", "2", "4", "10"], n, rng)
    columns["AvgTone"] = _pick(["-2.43902439024390", "1.27388535031847", "0"], n, rng)
    for geo in ("Actor1Geo", "Actor2Geo", "ActionGeo"):
        columns[f"{geo}_Type"] = _pick(["1", "4", "3"], n, rng)
        columns[f"{geo}_FullName"] = _pick(
            [
                "Ulaanbaatar, Ulaanbaatar, Mongolia",
                "Astana, Aqmola, Kazakhstan",
                "Washington, District of Columbia, United States",
            ],
            n,
            rng,
        )
        columns[f"{geo}_CountryCode"] = _pick(["MG", "KZ", "US"], n, rng)
        columns[f"{geo}_ADM1Code"] = _pick(["MG20", "KZ05", "USDC"], n, rng)
        columns[f"{geo}_Lat"] = _pick(["47.9167", "51.1811", "38.8951"], n, rng)
        columns[f"{geo}_Long"] = _pick(["106.917", "71.4278", "-77.0364"], n, rng)
        columns[f"{geo}_FeatureID"] = _pick(["-2209296", "-2198123", "531871"], n, rng)
    columns["DATEADDED"] = pa.compute.binary_join_element_wise(columns["SQLDATE"], "000000", "")
    columns["SOURCEURL"] = _pick(
        [f"https://www.example-news.com/world/asia/2016/story-{i}.html" for i in range(50)], n, rng
    )
    return columns


# (imports, timed statement): imports and the first, compiling call are not timed
_METHODS = {
    "periodize": (
        "import periodize as pz\n"
        "from periodize.adapters import row_account\n"
        "pz.read_gdelt(SMALL, dyad=('MNG', 'KAZ'))",
        "t = pz.read_gdelt(PATH, dyad=('MNG', 'KAZ'))\n"
        "out = {'rows': row_account(t).read, 'events': len(t)}",
    ),
    "periodize_no_filter": (
        "import os\n"
        "os.environ['PERIODIZE_MEMORY_GB'] = '12'  # millions of events held: above 4 GiB\n"
        "import periodize as pz\n"
        "from periodize.adapters import KIND_PRESETS, row_account\n"
        "from periodize.adapters.tables import valid_cameo_codes\n"
        "KINDS = dict.fromkeys(valid_cameo_codes(), 'other')\n"
        "KINDS |= {c: k for c, k in KIND_PRESETS['diplomacy'].items() if c.isdigit()}\n"
        "pz.read_gdelt(SMALL, kinds=KINDS)",
        "t = pz.read_gdelt(PATH, kinds=KINDS)\n"
        "out = {'rows': row_account(t).read, 'events': len(t)}",
    ),
    "pandas": (
        "import pandas as pd, csv",
        "t = pd.read_csv(PATH, sep='\\t', header=None, names=NAMES, usecols=NEEDED, dtype=str,"
        " quoting=csv.QUOTE_NONE, keep_default_na=False)\n"
        "out = {'rows': len(t)}",
    ),
    "pyarrow": (
        "import pyarrow as pa, pyarrow.csv as c",
        "t = c.read_csv(PATH, read_options=c.ReadOptions(column_names=NAMES),"
        " parse_options=c.ParseOptions(delimiter='\\t', quote_char=False),"
        " convert_options=c.ConvertOptions(include_columns=NEEDED,"
        " column_types={n: pa.string() for n in NEEDED}))\n"
        "out = {'rows': t.num_rows}",
    ),
}


def _run(method: str, path: Path, small: Path) -> dict[str, Any]:
    """Run one method in a fresh process: seconds, peak resident MiB (VmHWM) and answer."""
    imports, statement = _METHODS[method]
    code = (
        "import json, time\n"
        f"PATH, SMALL = {str(path)!r}, {str(small)!r}\n"
        f"NAMES, NEEDED = {list(column_list('gdelt2_61'))!r}, {NEEDED!r}\n"
        f"{imports}\n"
        "start = time.perf_counter()\n"
        f"{statement}\n"
        "out['seconds'] = time.perf_counter() - start\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
        "out['peak_mib'] = int(status) / 1024\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{method} failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def archives(size: str, rng: np.random.Generator) -> dict[str, Any]:
    """Rows per second of each method on one GDELT 2.0 file."""
    n_rows = SIZES[size]
    seed = int(rng.integers(1 << 30))
    with tempfile.TemporaryDirectory(prefix="periodize-gdelt-") as folder:
        path, small = Path(folder) / "events.export.CSV", Path(folder) / "tenth.export.CSV"
        write_gdelt(path, n_rows, seed=seed)
        write_gdelt(small, max(n_rows // 10, 1), seed=seed)
        runs = {method: _run(method, path, small) for method in _METHODS}
        tenth = _run("periodize", small, small)
        file_mib = path.stat().st_size / 2**20
    for method, run in runs.items():
        if run["rows"] != n_rows:
            raise RuntimeError(f"{method} read {run['rows']} rows of {n_rows}")
    rate = {m: n_rows / r["seconds"] for m, r in runs.items()}
    return {
        "case": f"read GDELT 2.0 with a dyad filter and with none, {n_rows:,} rows "
        f"({file_mib:,.0f} MiB)",
        "seconds": {m: r["seconds"] for m, r in runs.items()},
        "rows_per_second": rate,
        "peak_resident_mib": {m: r["peak_mib"] for m, r in runs.items()},
        "periodize_peak_mib_on_a_tenth_of_the_rows": tenth["peak_mib"],
        "events_kept": runs["periodize"]["events"],
        "events_kept_without_a_filter": runs["periodize_no_filter"]["events"],
        "agree": f"every method read all {n_rows:,} rows (periodize's row account adds up)",
        "speed_vs_pandas": rate["periodize"] / rate["pandas"],
        "speed_vs_pyarrow": rate["periodize"] / rate["pyarrow"],
        "no_filter_speed_vs_pandas": rate["periodize_no_filter"] / rate["pandas"],
        "no_filter_speed_vs_pyarrow": rate["periodize_no_filter"] / rate["pyarrow"],
        "targets": ">= 3 million rows/s, >= 2x pandas, peak < 2 GB, memory flat in the file size "
        "(with the dyad filter)",
    }


CASES = (archives,)
