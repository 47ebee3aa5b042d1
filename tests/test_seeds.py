"""Uncertainty over seeds (analysis/seeds.py): hand-checkable t intervals, the noise floor, transfer ratios."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from stilts_utils.analysis import seeds
from stilts_utils.analysis.effects import gains


def table(values):
    """values[(intermediate, language, seed)] -> xnli accuracy (en is the training language)."""
    return pd.DataFrame([{"study": "t", "model": "m", "model_params": 10, "variant": "", "intermediate": i,
                          "intermediate_data": "en", "intermediate_steps": 0 if i == "none" else 5,
                          "target": "xnli", "language": lang, "split": "test", "metric": "accuracy",
                          "value": v, "seed": s, "target_steps": 1, "run_id": "r", "wall_time_s": 1.0}
                         for (i, lang, s), v in values.items()])


def test_per_language_gain_has_the_student_t_interval_over_seeds():
    base = {("none", "de", s): 50.0 for s in range(3)}
    inter = {("mnli", "de", 0): 52.0, ("mnli", "de", 1): 54.0, ("mnli", "de", 2): 56.0}
    out = seeds.per_language(gains(table({**base, **inter}))).iloc[0]
    half = stats.t.ppf(0.975, 2) * 2.0 / np.sqrt(3)  # gains 2, 4, 6: mean 4, sd 2
    assert out["mean"] == pytest.approx(4.0)
    assert (out.ci_low, out.ci_high) == pytest.approx((4 - half, 4 + half))
    assert out.n_seeds == 3 and not out.distinguishable  # 4 - 4.97 < 0


def test_a_consistent_gain_is_distinguishable_and_a_noisy_one_is_not():
    base = {("none", lang, s): 50.0 for lang in ("de", "fr") for s in range(3)}
    steady = {("mnli", lang, s): 55.0 + 0.1 * s for lang in ("de", "fr") for s in range(3)}
    noisy = {("qqp", lang, s): [45.0, 50.0, 70.0][s] for lang in ("de", "fr") for s in range(3)}
    out = seeds.pooled(gains(table({**base, **steady, **noisy}))).set_index("intermediate")
    assert out.loc["mnli", "distinguishable"] and out.loc["mnli", "ci_low"] > 0
    assert not out.loc["qqp", "distinguishable"]
    assert out.loc["mnli", "n_languages"] == 2 and out.loc["mnli", "n_seeds"] == 3


def test_one_seed_gives_no_interval():
    out = seeds.pooled(gains(table({("none", "de", 0): 50.0, ("mnli", "de", 0): 60.0}))).iloc[0]
    assert out["mean"] == 10.0 and np.isnan(out.ci_low) and not out.distinguishable


def test_noise_floor_is_the_seed_sd_averaged_over_languages():
    values = {("none", "de", 0): 50.0, ("none", "de", 1): 52.0, ("none", "fr", 0): 40.0, ("none", "fr", 1): 40.0}
    out = seeds.noise_floor(table(values)).iloc[0]
    assert out.sd_seeds_mean == pytest.approx(np.sqrt(2) / 2) and out.sd_seeds_max == pytest.approx(np.sqrt(2))


def test_transfer_ratio_is_one_at_english_level_and_zero_at_chance():
    chance = 100 / 3  # XNLI has three labels
    values = {("none", "en", 0): 70.0, ("none", "de", 0): 70.0, ("none", "fr", 0): chance}
    out = seeds.transfer_ratio(table(values)).set_index("language").transfer_ratio
    assert out["de"] == pytest.approx(1.0) and out["fr"] == pytest.approx(0.0)
