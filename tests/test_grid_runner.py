"""Grid expansion, paths, skip/resume and failure handling of the batch runner (no training here)."""
import json

import pytest
import yaml

from stilts_utils.cli import runner
from stilts_utils.study import identity as grid
from stilts_utils.study.config import study_from_dict
from stilts_utils.study.identity import COMPLETE, Pair, StudyPaths
from stilts_utils.phases.results import COLUMNS, collect, make_rows, write_rows

BASE = {"world": "sandbox", "models": ["sandbox-small"], "intermediate": ["none", "mnli", "qqp"],
        "targets": ["xnli", "tatoeba"], "seeds": [0, 1]}


def make(tmp_path, **changes):
    data = {**BASE, "output_root": str(tmp_path / "outputs"), **changes}
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path), study_from_dict(data, "study")


def test_grid_counts(tmp_path):
    _, s = make(tmp_path)
    assert len(grid.encoders(s)) == 2 * 2  # mnli, qqp x 2 seeds; the baseline needs no encoder
    pairs = grid.pairs(s)
    assert len(pairs) == 3 * 2 * 2
    assert len({p.id for p in pairs}) == len(pairs), "run ids must be unique"


def test_grid_variants_data_and_checkpoints(tmp_path):
    _, s = make(tmp_path, intermediate_data=["en", "translated"], checkpoints=[0.5, 1.0], seeds=[0])
    pairs = grid.pairs(s)
    baseline = [p for p in pairs if p.intermediate == "none"]
    assert len(baseline) == 2  # not multiplied by data or checkpoints
    assert len(pairs) == 2 + 2 * 2 * 2 * 2  # 2 tasks x 2 data x 2 checkpoints x 2 targets
    assert len(grid.encoders(s)) == 4


def test_grid_phase2_budgets(tmp_path):
    """One encoder per budget, shared by that budget's pairs; the full budget keeps the ids and keys of a
    study without budgets; the baseline is not multiplied."""
    _, plain = make(tmp_path, seeds=[0])
    _, s = make(tmp_path, seeds=[0], phase2_budgets=[0.1, 0.5, 1.0])
    encoders, pairs = grid.encoders(s), grid.pairs(s)
    assert len(encoders) == 2 * 3 and len(pairs) == 2 + 2 * 3 * 2  # baseline: 2 targets, once
    assert len({p.id for p in pairs}) == len(pairs) and len({e.id for e in encoders}) == len(encoders)
    assert {p.encoder for p in pairs if p.encoder} == set(encoders)
    mnli = [e for e in encoders if e.intermediate == "mnli"]
    assert [e.id for e in mnli] == ["sandbox-small__mnli__s0", "sandbox-small__mnli@b0.5__s0",
                                    "sandbox-small__mnli@b0.1__s0"]
    assert len({grid.encoder_key(s, e) for e in mnli}) == 3, "the budget enters the encoder key"
    full = [e for e in encoders if e.budget == 1.0]
    assert full == grid.encoders(plain)
    assert [grid.encoder_key(s, e) for e in full] == [grid.encoder_key(plain, e) for e in full]
    kept = [p for p in pairs if p.budget == 1.0]
    assert kept == grid.pairs(plain)
    assert [grid.pair_key(s, p) for p in kept] == [grid.pair_key(plain, p) for p in kept]
    assert next(p for p in pairs if p.budget == 0.1).id == "sandbox-small__mnli@b0.1__xnli__s0"
    assert runner.parameters("study.yaml", mnli[2], 1)["budget"] == 0.1  # the notebooks get it


def _fake_rows(s, pair):
    meta = {c: 0 for c in COLUMNS if c not in ("language", "split", "metric", "value")}
    meta.update(study=s.name, model=pair.model, intermediate=pair.intermediate, target=pair.target,
                run_id=pair.id, variant="", intermediate_data=pair.intermediate_data, seed=pair.seed)
    return make_rows(meta, {("en", "test"): {"accuracy": 50.0}})


@pytest.fixture
def fake_execute(monkeypatch):
    """Replaces papermill: encoders get their marker, pairs their rows; selected jobs fail."""
    calls, failing = [], set()

    def execute(paths, study_file, job, threads):
        calls.append(job.id)
        if job.id in failing:
            raise RuntimeError(f"boom in {job.id}")
        if isinstance(job, Pair):
            write_rows(paths.rows(job), _fake_rows(paths.study, job))
        else:
            out = paths.encoder_dir(job)
            out.mkdir(parents=True)
            (out / COMPLETE).write_text(out.name + "\n")

    monkeypatch.setattr(runner, "execute", execute)
    monkeypatch.setattr(runner, "prepare", lambda study, paths: None)
    monkeypatch.setattr("stilts_utils.study.worlds.SandboxWorld.pretrained_key", lambda self, m, v="": m)
    return calls, failing


def test_resume_skips_finished_and_survives_failures(tmp_path, fake_execute, monkeypatch):
    calls, failing = fake_execute
    path, s = make(tmp_path)
    monkeypatch.chdir(tmp_path)
    first_pair = grid.pairs(s)[0]
    failing.add(first_pair.id)
    failing.add(grid.encoders(s)[0].id)
    out = runner.run(path, analysis=False)
    assert first_pair.id in [f[0] for f in out.failed]
    assert any(f[1].endswith(f"{first_pair.id}.ipynb") for f in out.failed), "summary names the notebook"
    blocked = [p for p in grid.pairs(s) if p.encoder and p.encoder.id == grid.encoders(s)[0].id]
    assert sorted(out.blocked) == sorted(p.id for p in blocked)
    done_before = len(out.done)
    assert done_before > 0

    calls.clear()
    failing.clear()
    again = runner.run(path, analysis=False)
    expected = {first_pair.id, grid.encoders(s)[0].id} | {p.id for p in blocked}
    assert set(calls) == expected, "only unfinished runs execute again"
    assert not again.failed
    table = json.loads(json.dumps(runner.collect(s).to_dict("records")))
    assert len(table) == len(grid.pairs(s)), "one row per pair: no duplicates, no partial rows"

    calls.clear()
    runner.run(path, analysis=False)
    assert calls == [], "a finished study recomputes nothing"


def test_half_written_rows_do_not_count(tmp_path):
    _, s = make(tmp_path)
    pair = grid.pairs(s)[0]
    rows_path = StudyPaths(s).rows(pair)
    rows_path.parent.mkdir(parents=True)
    (rows_path.parent / ".rows.json.123.tmp").write_text("[{\"half")  # a crash mid-write
    assert not StudyPaths(s).is_done(pair)
    df = collect([], tmp_path / "r.parquet", tmp_path / "r.csv")
    assert list(df.columns) == COLUMNS and df.empty


def test_write_rows_refuses_empty(tmp_path):
    with pytest.raises(ValueError):
        write_rows(tmp_path / "rows.json", [])
