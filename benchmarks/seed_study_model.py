"""Put an already pretrained sandbox model where a study would pretrain it, so a transfer experiment
does not pay phase 1 again. Valid because phase 1 depends only on the corpus, the seed and the size,
and is deterministic: the study would train exactly these weights (task sizes change no corpus line).

    PYTHONPATH=. python benchmarks/seed_study_model.py STUDY.yaml MODEL_DIR SOURCE_WORLD [sandbox-small]
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path


def main(study_file: str, model_dir: str, source_world: str, model: str = "sandbox-small") -> None:
    from stilts_utils.sandbox import build_world, settings_hash
    from stilts_utils.study.config import load_study

    study = load_study(study_file)
    recipe = study.world_impl.recipe(model)  # what phase 1 would build, and where (study/worlds.py)
    settings, size = recipe.settings, recipe.size
    src = Path(model_dir)
    data = build_world(settings, recipe.data_dir)
    for path in sorted((Path(source_world) / "corpus").glob("*.txt")):
        if path.read_bytes() != (data / "corpus" / path.name).read_bytes():
            raise SystemExit(f"corpus {path.name} differs: the model was trained on another corpus")
    dst = recipe.model_dir
    if dst.exists():
        print("already there:", dst)
        return
    shutil.copytree(src, dst)
    (dst / "COMPLETE").write_text(
        f"sandbox-model {settings_hash(settings)} {size.name} {settings_hash(size)}\n")
    print(dst, "<-", src, "| world", data)


if __name__ == "__main__":
    main(*sys.argv[1:])
