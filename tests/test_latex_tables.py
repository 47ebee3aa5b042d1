"""LaTeX tables for the write-up (analysis/latex.py): booktabs table with caption and label, fixed decimals
per column, CIs as [lo, hi], human headers, constant columns in the caption, wide tables transposed or split."""
import re

import pandas as pd

from stilts_utils.analysis import latex


def _rows(tex):
    body = tex.split(r"\midrule")[1].split(r"\bottomrule")[0]
    return [[c.strip() for c in line.rstrip("\\ ").split("&")] for line in body.strip().splitlines()]


def test_fixed_decimals_cis_headers_caption_and_label():
    df = pd.DataFrame({"model": ["xlmr"] * 3, "target": ["xnli", "panx", "bucc2018"], "mean": [12.14, 0.658, 96.5],
                       "ci_low": [10.0, 0.1, 95.0], "ci_high": [14.0, 1.2, 97.94], "n": [15, 15, 14],
                       "spearman": [0.5123, -0.2, 0.9], "p": [0.01234, 0.5, 0.00001]})
    tex = latex.to_latex(df, "volume_correlation", "Gain vs volume")
    assert tex.startswith(r"\begin{table}[htbp]") and r"\toprule" in tex and r"\bottomrule" in tex
    assert r"\label{tab:volume_correlation}" in tex and r"\caption{Gain vs volume (all rows: Model xlmr)}" in tex
    header = tex.split(r"\toprule")[1].split(r"\midrule")[0]
    assert "Target task" in header and "95\\% CI" in header and "Spearman $\\rho$" in header and "model" not in header
    rows = _rows(tex)
    assert [r[0] for r in rows] == ["XNLI", "PAN-X (NER)", "BUCC 2018"]
    assert [r[1] for r in rows] == ["12.1", "0.7", "96.5"]  # one decimal on every row, not %.3g
    assert [r[2] for r in rows] == ["[10.0, 14.0]", "[0.1, 1.2]", "[95.0, 97.9]"]
    assert [r[3] for r in rows] == ["15", "15", "14"] and [r[5] for r in rows] == ["0.012", "0.500", "<0.001"]
    assert all(re.fullmatch(r"-?\d\.\d\d", r[4]) for r in rows)


def test_wide_tables_are_transposed_or_split():
    few = pd.DataFrame({"target": ["xnli", "udpos"], **{f"c{i}": [1.0, 2.0] for i in range(17)}})
    tex = latex.to_latex(few, "wide")
    assert tex.count(r"\begin{table}") == 1
    assert all(len(r) == 3 for r in _rows(tex)) and len(_rows(tex)) == 17  # transposed: a row per column
    many = pd.DataFrame({"target": [f"t{i}" for i in range(12)], **{f"c{i}": range(12) for i in range(17)}})
    tex = latex.to_latex(many, "wider")
    blocks = tex.split(r"\begin{table}")[1:]
    assert len(blocks) == 3 and r"\label{tab:wider-3}" in tex and "part 3 of 3" in tex
    for block in blocks:  # every part repeats the key column and fits the page
        rows = _rows(block)
        assert rows[0][0] == "t0" and max(len(r) for r in rows) <= latex.MAX_COLUMNS
