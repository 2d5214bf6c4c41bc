"""The outputs shown in the README and docs/ are what the code prints today."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_refresh():
    spec = importlib.util.spec_from_file_location("refresh", ROOT / "docs" / "refresh.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_readme_and_docs_outputs_are_current(capsys):
    refresh = load_refresh()
    code = refresh.main(["--check"])
    stale = capsys.readouterr().out
    assert code == 0, f"run `make docs`:\n{stale}"


def test_refresh_finds_a_stale_block_and_rewrites_it(tmp_path):
    refresh = load_refresh()
    page = tmp_path / "page.md"
    page.write_text(
        "```python\nprint(6 * 7)\n```\n\n<!-- output -->\n```\n41\n```\n"
        "```python\nprint('not run')\nraise SystemExit\n```\n\n```\nkept\n```\n"
    )
    assert refresh.main(["--check", str(page)]) == 1
    assert "41" in page.read_text()  # --check changes nothing
    assert refresh.main([str(page)]) == 0
    assert refresh.main(["--check", str(page)]) == 0
    text = page.read_text()
    assert "<!-- output -->\n```\n42\n```" in text and "kept" in text


def test_api_reference_lists_every_public_name_once():
    import importlib

    import periodize as pz

    text = (ROOT / "docs" / "api.md").read_text()
    targets = re.findall(r"^::: (\S+)$", text, flags=re.M)
    assert len(targets) == len(set(targets))
    for target in targets:  # each resolves to a public object, no private helper
        module, _, name = target.rpartition(".")
        assert not name.startswith("_"), target
        assert hasattr(importlib.import_module(module), name), target
    listed = {t.removeprefix("periodize.") for t in targets}
    public = set(pz.__all__) - {"__version__", "datasets", "adapters"}
    assert public <= listed, public - listed


def test_docs_study_holds_only_what_make_docs_study_writes():
    """Anything else there would make `make docs-study` refuse to replace the folder."""
    from periodize.study import OUTPUT_FILES

    assert sorted(p.name for p in (ROOT / "docs" / "study").iterdir()) == sorted(OUTPUT_FILES)
