"""Any model id of a supported architecture family is accepted (family from config.json `model_type`);
unsupported ones fail validation in one line naming the model and the families. Offline and uncached, a
hub id is left to the preflight ("not cached") rather than rejected."""
import json

import pytest

from stilts_utils.families import FAMILIES
from stilts_utils.study.config import study_from_dict
from stilts_utils.study.errors import StudyError
from stilts_utils.study.worlds import model_type_of


def _study(models, **extra):
    return study_from_dict({"world": "xtreme", "models": models, "targets": ["xnli"], **extra}, "families")


def _cache_config(monkeypatch, root, repo, config):
    """A hub cache holding only `repo`'s config.json, laid out as huggingface_hub writes it."""
    import huggingface_hub.constants

    commit = "0" * 40
    base = root / f"models--{repo.replace('/', '--')}"
    (base / "refs").mkdir(parents=True, exist_ok=True)
    (base / "refs" / "main").write_text(commit)
    snap = base / "snapshots" / commit
    snap.mkdir(parents=True, exist_ok=True)
    (snap / "config.json").write_text(json.dumps(config))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(root))


def test_every_tiny_family_directory_is_accepted(tiny_model_dirs):
    study = _study([str(p) for p in tiny_model_dirs.values()])
    assert len(study.models) == len(tiny_model_dirs)
    assert {model_type_of(str(p)) for p in tiny_model_dirs.values()} == {"xlm-roberta", "bert", "deberta-v2", "mt5"}


def test_uncached_hub_ids_offline_are_left_to_the_preflight(monkeypatch, tmp_path):
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))  # an empty cache
    study = _study(["google-bert/bert-base-multilingual-cased", "FacebookAI/xlm-roberta-large", "someone/new-model"])
    assert study.models[0] == "google-bert/bert-base-multilingual-cased"


def test_cached_hub_config_decides_the_family(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    _cache_config(monkeypatch, tmp_path, "google-bert/bert-base-multilingual-cased", {"model_type": "bert"})
    _cache_config(monkeypatch, tmp_path, "google/umt5-small", {"model_type": "umt5"})
    _cache_config(monkeypatch, tmp_path, "openai-community/gpt2", {"model_type": "gpt2"})
    assert _study(["google-bert/bert-base-multilingual-cased", "google/umt5-small"]).models
    with pytest.raises(StudyError) as err:
        _study(["openai-community/gpt2"])
    message = str(err.value)
    assert "\n" not in message and "'openai-community/gpt2'" in message and "'gpt2'" in message
    assert all(name in message for name in FAMILIES)
    # a user who opts the model into its own code takes responsibility for its architecture
    assert _study(["openai-community/gpt2"], trust_remote_code=["openai-community/gpt2"]).models


def test_unsupported_local_directory_is_rejected_in_one_line(tmp_path):
    model = tmp_path / "gpt"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    with pytest.raises(StudyError, match=r"models: '.*gpt' is a 'gpt2' model, not of a supported .*xlm-roberta"):
        _study([str(model)])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(StudyError, match="without config.json"):
        _study([str(empty)])


def test_family_sets_loader_and_pooling(tiny_model_dirs):
    from stilts_utils.families import depth, hidden_size, is_t5, pooling, retrieval_layer
    from stilts_utils.model.encoders import load_config

    for kind, path in tiny_model_dirs.items():
        config = load_config(str(path))
        assert is_t5(config) == (kind == "mt5")
        assert pooling(config) == ("mean" if kind == "mt5" else "cls")
        # the same facts from the loaded config and from its config.json
        raw = json.loads((path / "config.json").read_text())
        assert depth(config) == depth(raw) == 2 and hidden_size(config) == hidden_size(raw) == 32
        assert retrieval_layer(config) == retrieval_layer(raw) == 1  # round(2 * 14 / 24)


def test_online_an_uncached_id_is_judged_by_hub_metadata(monkeypatch, tmp_path):
    import huggingface_hub
    import huggingface_hub.constants
    from types import SimpleNamespace

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    types = {"google-bert/bert-base-multilingual-cased": "bert", "openai-community/gpt2": "gpt2"}

    def model_info(self, repo_id, **kw):
        if repo_id not in types:
            raise huggingface_hub.errors.RepositoryNotFoundError(repo_id)
        return SimpleNamespace(config={"model_type": types[repo_id]})
    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", model_info)
    assert model_type_of("google-bert/bert-base-multilingual-cased") == "bert"
    assert model_type_of("nobody/nothing") is None  # not found: the preflight says so
    with pytest.raises(StudyError, match="'gpt2' model"):
        _study(["openai-community/gpt2"])
