"""Notebooks work wherever they are opened: relative paths mean the repository root, not the kernel's cwd
(JupyterLab starts kernels in notebooks/), and the explorer redraws table and plot on every change."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from stilts_utils.analysis import explorer, locate  # noqa: E402
from stilts_utils.study.config import REPO_ROOT  # noqa: E402

from test_reports import LANGS, TARGETS, results_table, write_study  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ANALYSIS = ["analysis_default", "rq1_volume", "rq2_duration", "rq3_translated", "rq4_model_size", "rq5_typology",
            "explorer"]


@pytest.fixture(scope="module")
def repo_study():
    """A small synthetic study inside the repository's outputs/ (as a real study is), named by its
    relative path; removed afterwards (only this folder, which the fixture made)."""
    assert REPO_ROOT == ROOT
    rel = Path("outputs") / f"pytest-anywhere-{os.getpid()}"  # a study folder as the runner makes them
    folder = ROOT / rel
    langs = {k: LANGS[k] for k in ("en", "xa", "xc", "xg", "xi")}  # small: the notebooks bootstrap 2000 times
    results = results_table(models={"small": 1_000_000, "large": 10_000_000}, intermediates=("mnli",),
                            fractions=(0.5, 1.0), seeds=(1, 2), langs=langs,
                            targets={t: TARGETS[t] for t in ("xnli", "udpos", "xquad")})
    write_study(folder, results, list(langs))
    yield rel
    shutil.rmtree(ROOT / rel)


def test_relative_paths_mean_the_repository_root(repo_study, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # any cwd: notebooks/, a temp folder
    assert locate.in_repo(repo_study) == ROOT / repo_study
    assert locate.in_repo(tmp_path) == tmp_path
    assert locate.shown(ROOT / repo_study) == str(repo_study)
    assert str(ROOT / repo_study) in explorer.study_dirs(repo_study)


def test_the_picker_lists_every_study_under_outputs_and_beside_the_given_one(repo_study, tmp_path, monkeypatch):
    monkeypatch.setattr(explorer, "OUTPUTS", ROOT / "outputs")
    other = write_study(tmp_path / "elsewhere", results_table(models={"small": 1}, seeds=(1,)))
    (tmp_path / "no-results").mkdir()
    found = explorer.study_dirs(other)
    assert found[0] == str(other) and str(ROOT / repo_study) in found
    assert not any(p.endswith("no-results") for p in found)


def test_the_explorer_redraws_plot_and_table_on_every_change(repo_study):
    box = explorer.show(repo_study)
    (study, model), (target, language) = (h.children for h in box.children[:2])
    plot, table = box.children[2], box.children[3]
    assert plot.value[:4] == b"\x89PNG" and "<table" in table.value
    seen = {(bytes(plot.value), table.value)}

    def other(box, skip=()):
        return next(v for v in (o[1] if isinstance(o, tuple) else o for o in box.options)
                    if v != box.value and v not in skip)

    for widget in (target, language, model, language, target):
        value = other(widget, skip=(explorer.ALL,) if widget is language and widget.value == explorer.ALL else ())
        value = explorer.ALL if widget is language and widget.value != explorer.ALL else value
        widget.value = value
        assert plot.value[:4] == b"\x89PNG", f"no plot after {widget.description} = {value}"
        seen.add((bytes(plot.value), table.value))
    assert len(seen) == 6, "every change drew a new plot and table"
    assert len({p for p, _ in seen}) == 6 and len({t for _, t in seen}) == 6
    assert "Gain (points)" not in table.value or "+" in table.value
    assert "UD-POS" in [label for label, _ in target.options]


def test_the_table_has_human_headers_and_fixed_decimals(repo_study):
    data = explorer.explorer_data(repo_study)
    table, _ = explorer.view(data, "small", "xnli", "xa")
    html = explorer.table_html(table)
    assert "Intermediate task" in html and "Gain (points)" in html and "intermediate_data" not in html
    cells = [c.split(">")[-1] for c in html.split("</td>")[:-1]]
    numbers = [c for c in cells if c.replace(".", "", 1).lstrip("+-").isdigit()]
    assert numbers and all(len(c.split(".")[1]) == 1 for c in numbers if "." in c), numbers
    assert "overflow-x:auto" in html


def _run(name, out, params, cwd):
    cmd = [sys.executable, "-m", "papermill", str(ROOT / "notebooks" / f"{name}.ipynb"), str(out), "-k", "python3",
           "--cwd", str(cwd), "--no-progress-bar"]
    for key, value in params.items():
        cmd += ["-p", key, str(value)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)})  # this checkout's package


@pytest.mark.slow
def test_every_analysis_notebook_runs_with_its_cwd_in_notebooks(repo_study, tmp_path):
    """As JupyterLab runs them: cwd notebooks/, the study named by its path relative to the repository."""
    jobs = [(name, {"study_dir": repo_study}) for name in ANALYSIS]
    jobs.append(("published_numbers", {"out_dir": repo_study / "published", "n_boot": 200}))
    for start in range(0, len(jobs), 2):  # two kernels at a time: the machine has few cores
        runs = {name: (_run(name, tmp_path / f"{name}.ipynb", params, ROOT / "notebooks"))
                for name, params in jobs[start:start + 2]}
        for name, run in runs.items():
            log = run.communicate(timeout=300)[0]
            assert run.returncode == 0, f"{name}:\n{log[-3000:]}"
            cells = json.loads((tmp_path / f"{name}.ipynb").read_text())["cells"]
            errors = [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"
                      or o.get("name") == "stderr" and "Traceback" in "".join(o.get("text", ""))]
            assert not errors, (name, errors[:1])
    assert (ROOT / repo_study / "figures").is_dir() and (ROOT / repo_study / "published").is_dir()
    assert not (ROOT / "notebooks" / "outputs").exists(), "nothing written relative to the kernel's cwd"
