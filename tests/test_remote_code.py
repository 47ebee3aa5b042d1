"""`trust_remote_code:` runs a model's own code (its config.json's `auto_map`) for exactly the ids a study
lists: a listed model validates and loads wherever the study loads it (phase 2, phase 3, and its phase-2
checkpoints); an unlisted one fails validation in one line naming the id and the key, before any compute."""
import pytest
import yaml

from stilts_utils.study.config import study_from_dict
from stilts_utils.study.errors import StudyError

from tiny_models import REMOTE_TYPE, build_remote_code_model


@pytest.fixture(scope="module")
def remote_model(tmp_path_factory):
    return str(build_remote_code_model(tmp_path_factory.mktemp("remote") / "tiny-remote"))


def _study(model, **extra):
    return study_from_dict({"world": "xtreme", "models": [model], "targets": ["xnli"], **extra}, "remote")


def test_an_unlisted_model_with_its_own_code_fails_validation_in_one_line(remote_model):
    with pytest.raises(StudyError) as err:
        _study(remote_model)
    message = str(err.value)
    assert "\n" not in message and repr(remote_model) in message and "`trust_remote_code:`" in message
    assert err.value.key == "models"


def test_the_opt_in_names_only_models_of_the_study(remote_model):
    with pytest.raises(StudyError, match=r"trust_remote_code: unknown value 'someone/else'; allowed: "):
        _study(remote_model, trust_remote_code=[remote_model, "someone/else"])


def test_a_listed_model_loads_and_so_do_its_checkpoints(remote_model, tmp_path):
    from stilts_utils.model.encoders import count_parameters, load_encoder, load_tokenizer

    study = _study(remote_model, trust_remote_code=[remote_model])
    trust = remote_model in study.trust_remote_code
    tokenizer, encoder = load_tokenizer(remote_model, trust), load_encoder(remote_model, trust)
    assert encoder.config.model_type == REMOTE_TYPE and count_parameters(encoder) > 0
    out = encoder(**tokenizer(["a short sentence"], return_tensors="pt")).last_hidden_state
    assert out.shape[-1] == encoder.config.hidden_size
    encoder.save_pretrained(tmp_path / "step-1")  # a phase-2 checkpoint: the code is saved beside it
    assert type(load_encoder(str(tmp_path / "step-1"), trust)).__name__ == "TinyRemoteModel"


def test_without_the_opt_in_the_loader_names_the_key(remote_model):
    """Validation catches the local and cached cases; a config it could not see fails at load the same way."""
    from stilts_utils.model.encoders import load_encoder

    with pytest.raises(StudyError) as err:
        load_encoder(remote_model)
    assert "\n" not in str(err.value) and "`trust_remote_code:`" in str(err.value)


class _Loaded(Exception):
    """Raised right after the pipeline loaded tokenizer and encoder: what was loaded is all this test wants."""


@pytest.mark.parametrize("phase", ["phase2", "phase3"])
def test_the_pipeline_applies_the_opt_in(remote_model, tmp_path, monkeypatch, phase):
    from stilts_utils.phases import pipeline
    from stilts_utils.study.config import load_study
    from stilts_utils.study.identity import Encoder

    path = tmp_path / "remote.yaml"
    path.write_text(yaml.safe_dump({"world": "xtreme", "models": [remote_model], "targets": ["xnli"],
                                    "intermediate": ["none", "mnli"], "trust_remote_code": [remote_model],
                                    "output_root": str(tmp_path / "out")}))
    loaded = []

    def stop(name, study, variant):  # the first call after loading
        loaded.append(name)
        raise _Loaded

    monkeypatch.setattr(pipeline, "_task", stop)
    with pytest.raises(_Loaded):
        if phase == "phase2":
            job = Encoder(remote_model, "", "mnli", "en", 0)
            pipeline.train_encoder_into(load_study(path), job, tmp_path / "tmp")
        else:
            pipeline.run_pair(str(path), remote_model, "", "none", "en", 1.0, "xnli", 0)
    assert loaded == ["mnli" if phase == "phase2" else "xnli"]
