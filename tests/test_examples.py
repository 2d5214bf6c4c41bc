"""Every example runs, at small settings, so the examples cannot rot."""

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mongolia_kazakhstan(tmp_path):
    study = load("mongolia_kazakhstan").main(quick=True, out=tmp_path)
    assert study.hypothesis == (2009, 2019) and (tmp_path / "report.md").exists()


def test_your_own_dyad(tmp_path):
    study = load("your_own_dyad").main(quick=True, out=tmp_path)
    assert study.n_events == 17 and (tmp_path / "figure.png").exists()


def test_many_dyads():
    """Every dyad found at a 5% false-discovery rate is one of the 12 that change in 2010,
    and at least 4 are found (30 years each: the dependent null, the default, costs power
    on records this short; the independent null finds 6 or more)."""
    module = load("many_dyads")
    table, shared = module.main(quick=True)
    assert len(table) == 24
    codes = module.CODES
    aligned = {
        "-".join(sorted((codes[d % len(codes)], codes[(d + 1 + d // len(codes)) % len(codes)])))
        for d in range(0, 24, 2)
    }
    found = set(table.index[table["qvalue_bh"] <= 0.05])
    assert len(found) >= 4 and found <= aligned
    assert shared.pvalue < 0.05


def test_power_analysis(tmp_path):
    result = load("power_analysis").main(quick=True, out=tmp_path)
    assert (tmp_path / "power.png").exists() and (tmp_path / "power.md").exists()
    assert result.table["power"].is_monotonic_increasing


def test_boundary_set_coverage():
    table = load("boundary_set_coverage").main(quick=True)
    assert len(table) == 4
    covers = table.filter(like="covers")
    assert ((covers >= 0) & (covers <= 1)).all().all()
    assert (table["profile_set (95%) covers"] >= 0.85).all()  # about 0.95-0.99 at full size
