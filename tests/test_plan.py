"""`plan`: examples, steps and GPU-hours per phase, for the XLM-R Large study without its CCGbank."""
import re
from pathlib import Path

import pytest

from stilts_utils.cli.main import main
from stilts_utils.cli.plan import _flops_per_token, gpu_table
from stilts_utils.study.config import load_study
from stilts_utils.study.errors import StudyError

SMOKE = str(Path(__file__).resolve().parent / "fixtures" / "gpu_benchmark" / "smoke.json")  # a --smoke result
LARGE = str(Path(__file__).resolve().parent.parent / "params" / "xtreme_xlmr_large.yaml")


def _total(out: str) -> float:
    return float(re.search(r"total: ([\d.]+) GPU-hours", out).group(1))


def test_plan_loads_the_large_study_without_ccgbank(capsys):
    with pytest.raises(StudyError, match="ccg has no data"):
        load_study(LARGE)  # run/dry-run still refuse it
    assert main(["plan", LARGE, "--gpu", "a100"]) == 0
    out = capsys.readouterr().out
    assert "phase 2: 10 encoder run(s)" in out and "phase 3: 99 pair run(s)" in out
    assert "xlm-roberta-large__mnli__s0" in out and "bucc2018" in out
    assert "published dataset sizes" in out  # no local data here: the counts say so
    assert _total(out) > 0


def test_gpu_hours_scale_with_peak_and_mfu(capsys):
    main(["plan", LARGE, "--gpu", "a100"])
    a100 = _total(capsys.readouterr().out)
    main(["plan", LARGE, "--gpu", "h100", "--mfu", "0.6"])
    h100 = _total(capsys.readouterr().out)
    ratio = (float(gpu_table()["h100"]["peak_tflops"]) * 2) / float(gpu_table()["a100"]["peak_tflops"])
    assert a100 / h100 == pytest.approx(ratio, rel=0.02)


def test_flops_per_token_uses_non_embedding_parameters():
    # XLM-R Large: 558.8M parameters of which 250002 x 1024 are the embedding lookup.
    n = 558_837_760 - 250_002 * 1024
    assert _flops_per_token("xlm-roberta-large", 256) == 6 * n + 12 * 24 * 256 * 1024
    assert _flops_per_token("no-such-model", 256) is None


@pytest.mark.parametrize("args, word", [(["--gpu", "x100"], "x100"), (["--mfu", "0"], "0.0")])
def test_bad_plan_options_are_one_line_exit_2(capsys, args, word):
    assert main(["plan", LARGE, *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and word in err


def test_plan_counts_each_phase2_budget_as_its_own_shorter_run(capsys):
    rq2 = str(Path(LARGE).with_name("xtreme_rq2_duration.yaml"))
    assert main(["plan", rq2, "--gpu", "h100"]) == 0  # before any data exists
    out = capsys.readouterr().out
    study = load_study(rq2, check_data=False)
    encoders = len(study.models) * 2 * len(study.phase2_budgets) * len(study.seeds)  # mnli, squad
    assert f"phase 2: {encoders} encoder run(s)" in out
    steps = {run: int(n) for run, n in re.findall(r"^  (xlm-roberta-large__mnli\S*__s0) +≈\d+ +(\d+)", out, re.M)}
    full = steps.pop("xlm-roberta-large__mnli__s0")
    assert steps == {f"xlm-roberta-large__mnli@b{b:g}__s0": round(b * full) for b in study.phase2_budgets if b < 1}


def test_plan_uses_the_mfu_the_benchmark_measured_and_says_so(capsys):
    main(["plan", LARGE, "--mfu-from", SMOKE])
    out = capsys.readouterr().out
    assert "MFU 7.46 % measured by benchmarks/gpu_benchmark.py on cpu (smoke)" in out.splitlines()[0]
    assert "micro-batch 32 x accumulation 1" in out and "not a GPU measurement" in out
    assert "at 7.46 % MFU (measured)" in out
    measured = _total(out)
    main(["plan", LARGE, "--mfu", "0.0745695419783264"])  # the fixture's auto MFU, by hand
    assert _total(capsys.readouterr().out) == pytest.approx(measured, rel=0.01)


@pytest.mark.parametrize("args, word", [(["--mfu-from", "no/such.json"], "not a gpu_benchmark.py result"),
                                        (["--mfu-from", LARGE], "not a gpu_benchmark.py result"),
                                        (["--mfu", "0.3", "--mfu-from", SMOKE], "give one")])
def test_a_bad_mfu_source_is_one_line_exit_2(capsys, args, word):
    assert main(["plan", LARGE, *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and word in err
