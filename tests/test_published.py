"""Published sandbox encoders (issue 24): a build is byte for byte what a study would pretrain, a matching
study loads it instead of pretraining and says so, a damaged one is one line naming the file, and every
shipped manifest still matches the settings of its world and size."""
import dataclasses
import hashlib
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from stilts_utils.phases import phase1, publish, published
from stilts_utils.phases.phase1 import pretrain_model
from stilts_utils.sandbox import DEFAULT_SIZES, ModelSize, WorldSettings

TINY_WORLD = dict(pretrain_sentences=1200, train_size=60, eval_size=24, bucc_pairs=6, bucc_distractors=4)
TINY = dict(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64, vocab_size=400, max_length=48,
            batch_size=8, steps=24, eval_every=12)
MAX_FOLDER_BYTES = 10 * 2**20  # shipped in the package: every published folder stays this small


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("published")
    settings, size = WorldSettings(**TINY_WORLD), ModelSize("tiny", **TINY)
    folder, diff = publish.build(settings, size, root / "published", root / "world", "pytest")
    return settings, size, folder, diff, root


def _digests(folder) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def manifest_problem(folder, settings, size) -> str | None:
    """Why a published folder no longer stands for (settings, size) — the check every shipped one passes."""
    manifest = published.verify(folder)
    if manifest["identity"] != published.identity(settings, size):
        return (f"{folder} was built for {manifest['identity']}, the settings now give "
                f"{published.identity(settings, size)}: world generation or defaults changed; rebuild it with "
                f"`{published.build_command(folder.name)}`")
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return f"{folder} holds {total} bytes" if total > MAX_FOLDER_BYTES else None


@pytest.mark.parametrize("folder", published.shipped(), ids=lambda p: p.name)
def test_every_shipped_encoder_matches_its_world_and_size(folder):
    assert folder.name in DEFAULT_SIZES, f"{folder}: no sandbox size of that name"
    assert manifest_problem(folder, WorldSettings(), DEFAULT_SIZES[folder.name]) is None


def test_the_manifest_check_catches_a_changed_world_or_size(built):
    """Runs whether or not encoders are shipped: the same check on a tiny built one."""
    settings, size, folder, _, _ = built
    assert manifest_problem(folder, settings, size) is None
    assert published.identity(settings, dataclasses.replace(size, threads=2)) == published.identity(settings, size)
    for other_settings, other_size in ((dataclasses.replace(settings, seed=1), size),
                                       (settings, dataclasses.replace(size, steps=25))):
        assert "rebuild it with `python -m stilts_utils sandbox build --size tiny`" in \
            manifest_problem(folder, other_settings, other_size)
        assert published.find(other_settings, other_size, folder.parent) is None  # pretrains as before


def test_the_manifest_records_the_build(built):
    settings, size, folder, diff, _ = built
    manifest = json.loads((folder / published.MANIFEST).read_text())
    assert diff.startswith("no shipped copy")
    assert {"model.safetensors", "tokenizer.json", "config.json", "loss_curve.csv", "phase1_report.csv"} \
        <= set(manifest["files"])
    assert set(manifest["files"]) | {published.MANIFEST} == {p.name for p in folder.iterdir()}
    assert manifest["threads"] == 1 and manifest["size"]["steps"] == 24
    assert {"command", "commit", "machine", "wall_time_s", "date", "torch"} <= set(manifest["build"])
    assert [row["step"] for row in manifest["held_out_loss_curve"]] == ["12", "24"]
    assert manifest["phase1_report"]["steps"] == 24 and manifest["phase1_report"]["languages"]


def test_a_build_is_byte_identical_to_what_a_study_pretrains_and_to_a_rebuild(built, tmp_path):
    settings, size, folder, _, root = built
    study_model = pretrain_model(settings, size, root / "world" / "data", tmp_path / "model")
    ours, theirs = _digests(folder), _digests(study_model)
    model_files = set(json.loads((folder / published.MANIFEST).read_text())["files"]) - publish.VARYING
    for name in model_files - {"phase1_report.csv", "phase1_report.json"}:  # the study reports later
        assert ours[name] == theirs[name], name
    again, diff = publish.build(settings, size, folder.parent, root / "world", "pytest")
    assert again == folder and diff.startswith("identical to the shipped copy"), diff
    assert [p.name for p in folder.parent.iterdir()] == ["tiny"]  # no staging or old copy left behind


@pytest.fixture
def tiny_study(built, tmp_path, monkeypatch):
    from stilts_utils.study.config import load_study

    settings, size, folder, _, _ = built
    monkeypatch.setattr(published, "ROOT", folder.parent)
    study = tmp_path / "tinypub.yaml"
    study.write_text(textwrap.dedent(f"""\
        world: sandbox
        models: [sandbox-tiny]
        intermediate: [none]
        targets: [xnli]
        seeds: [0]
        sandbox: {json.dumps(TINY_WORLD)}
        sandbox_sizes: {{tiny: {json.dumps(TINY)}}}
        analysis: []
        output_root: {tmp_path / "out"}
        """))
    return load_study(study), study


def test_a_matching_study_loads_the_published_encoder_and_says_so(built, tiny_study):
    _, _, folder, _, _ = built
    study, _ = tiny_study
    model_dir = Path(phase1.pretrained(study, "sandbox-tiny"))
    shipped = _digests(folder)
    assert {k: v for k, v in _digests(model_dir).items() if k in shipped} == shipped
    assert phase1.origin(study, "sandbox-tiny").startswith("published tiny (commit ")
    assert phase1.origins(study).startswith("sandbox-tiny: published tiny")
    assert list(phase1.report(study, "sandbox-tiny").language)[:1] == ["en"]  # the shipped report


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))


DAMAGE = {
    "model.safetensors": (_flip_a_byte, "model.safetensors was changed since it was published"),
    "tokenizer.json": (lambda p: p.write_bytes(p.read_bytes()[:-10]), "tokenizer.json has"),
    "config.json": (lambda p: p.unlink(), "config.json is missing"),
    published.MANIFEST: (lambda p: p.unlink(), f"{published.MANIFEST} is missing"),
}


@pytest.mark.parametrize("name", DAMAGE)
def test_a_damaged_published_file_is_one_line_naming_it(built, tmp_path, name):
    settings, size, folder, _, _ = built
    copy = tmp_path / "published" / folder.name
    shutil.copytree(folder, copy)
    damage, expected = DAMAGE[name]
    damage(copy / name)
    with pytest.raises(published.PublishedEncoderDamaged) as err:
        published.find(settings, size, copy.parent)
    message = str(err.value)
    assert expected in message and str(copy / name) in message and "\n" not in message
    assert "python -m stilts_utils sandbox build --size tiny" in message


def test_a_study_with_a_damaged_published_encoder_exits_2_with_one_line(built, tiny_study, capsys, monkeypatch):
    from stilts_utils.cli.main import main

    _, _, folder, _, _ = built
    _, study_file = tiny_study
    copy = study_file.parent / "published" / folder.name
    shutil.copytree(folder, copy)
    _flip_a_byte(copy / "model.safetensors")
    monkeypatch.setattr(published, "ROOT", copy.parent)
    assert main(["run", str(study_file), "--no-analysis"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: published encoder") and "model.safetensors" in err and "\n" not in err


def test_sandbox_build_refuses_bad_flags_in_one_line(capsys, tmp_path):
    from stilts_utils.cli.main import main

    for argv, needle in ((["--size", "huge"], "allowed: small, base"), (["--threads", "0"], "integers >= 1"),
                         (["--steps", "5"], "publish it elsewhere with --out DIR"),
                         (["--out", __file__], "is a file")):
        assert main(["sandbox", "build", *argv]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and needle in err and err.count("\n") == 1, err


def test_sandbox_small_is_small_enough_to_ship(tmp_path):
    """~96 hidden, 2 layers, 2,000 pieces: its fp32 safetensors is a few MB, far under the folder's limit."""
    from stilts_utils.phases.pretrain import make_model, save_plain

    size = DEFAULT_SIZES["small"]

    class Tokenizer:  # what make_model reads: the vocabulary size and three special ids
        pad_token_id, bos_token_id, eos_token_id = 1, 0, 2

        def __len__(self):
            return size.vocab_size

    model = make_model(size, Tokenizer())
    assert 300_000 < model.num_parameters() < 1_000_000
    save_plain(model, size, tmp_path)
    weights = (tmp_path / "model.safetensors").stat().st_size
    assert weights < 4 * 1_000_000 + 100_000 and weights < MAX_FOLDER_BYTES // 2
