"""Every notebook has its jupytext percent-script twin (notebooks/<name>.py, for review) and the two say the
same: editing one without `jupytext --sync notebooks/*.ipynb` fails here."""
from pathlib import Path

import jupytext
import pytest
from jupytext.config import load_jupytext_configuration_file

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _config():
    return load_jupytext_configuration_file(str(ROOT / "jupytext.toml"))


def test_every_notebook_has_a_twin_and_every_twin_a_notebook():
    assert NOTEBOOKS
    scripts = {p.stem for p in (ROOT / "notebooks").glob("*.py")}
    assert scripts == {p.stem for p in NOTEBOOKS}
    assert "py:percent" in str(_config().formats)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_twin_is_the_notebook_as_a_percent_script(notebook):
    config = _config()
    expected = jupytext.writes(jupytext.read(notebook), fmt="py:percent", config=config)
    script = notebook.with_suffix(".py")
    assert script.read_text() == expected, f"run `jupytext --sync {notebook.relative_to(ROOT)}`"
    # and back: the script's cells are the notebook's cells (sources and parameter tags)
    back, nb = jupytext.read(script), jupytext.read(notebook)
    assert [(c.cell_type, c.source, c.metadata.get("tags")) for c in back.cells] == \
           [(c.cell_type, c.source, c.metadata.get("tags")) for c in nb.cells]
