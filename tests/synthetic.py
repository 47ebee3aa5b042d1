"""The run metadata of a synthetic results row (docs/design.md §1), shared by the tests that build study
folders from made-up numbers (test_reports.py, figure_gallery.py)."""


def run_meta(study: str, model: str, params: int, inter: str, data: str, steps: int, target: str, seed: int,
             variant: str) -> dict:
    """Every column of a results row but language, split, metric and value; the run id names the run."""
    return {"study": study, "model": model, "model_params": params, "intermediate": inter,
            "intermediate_data": data, "intermediate_steps": steps, "target": target, "seed": seed,
            "target_steps": 10, "run_id": f"{model}-{variant}-{inter}-{data}-{steps}-{target}-{seed}",
            "wall_time_s": 1.0, "variant": variant}
