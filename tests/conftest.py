"""Shared fixtures: tiny random models (built once per session) and a study that reads the fixture data."""
import os
from types import SimpleNamespace

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

from stilts_utils.tasks import REGISTRY  # noqa: E402

from tiny_models import FIXTURES, KINDS, build_tiny_model  # noqa: E402


@pytest.fixture(scope="session")
def tiny_model_dirs(tmp_path_factory) -> dict:
    """{kind: directory} of the tiny models, built once per test session."""
    root = tmp_path_factory.mktemp("tiny_models")
    return {kind: build_tiny_model(kind, root / kind) for kind in KINDS}


@pytest.fixture(scope="session")
def fixture_study():
    """The minimal study `load_split` needs, with every task read from tests/fixtures/data."""
    from stilts_utils.study.worlds import HubWorld

    study = SimpleNamespace(world="xtreme", data_dirs={name: str(FIXTURES) for name in REGISTRY},
                            trust_remote_code=[])
    study.world_impl = HubWorld(study)
    return study


@pytest.fixture(scope="session")
def fixture_rows(fixture_study):
    """load_split over the fixture data, each (task, language, split) loaded once per session."""
    from stilts_utils.data.loading import load_split

    cache = {}

    def rows(task: str, lang: str, split: str):
        if (task, lang, split) not in cache:
            cache[task, lang, split] = load_split(task, lang, split, fixture_study)
        return cache[task, lang, split]
    return rows
