"""RQ3 on real data: translated intermediate rows in their real schemas, through the real loading code.

MNLI's translations are XNLI's train sets (hub facebook/xnli, columns premise/hypothesis/label: fixture
mnli/de/train.jsonl; the hub path is in test_hub_protocol.py). SQuAD's are XTREME's translate-train files,
not on the hub: `download-data` fetches squad.translate.train.en-<lang>.json (fixture squad/de/, SQuAD v1.1
JSON) and converts it into the local copy that `load_split` reads."""
import dataclasses
import shutil

import pytest
import yaml

from stilts_utils.data import download
from stilts_utils.data.hub import DataUnavailable
from stilts_utils.data.loading import load_split
from stilts_utils.data.preflight import _local_problems, check_local_data, needed_splits
from stilts_utils.study.config import load_study, study_from_dict
from stilts_utils.study.identity import Encoder, data_languages
from stilts_utils.tasks import REGISTRY
from tiny_models import FIXTURES

RAW = "squad.translate.train.en-de.json"


def write_study(path, copy, **fields):
    data = {"world": "xtreme", "models": ["xlm-roberta-large"], "intermediate": ["none", "mnli", "squad"],
            "intermediate_data": ["en", "translated:de", "translated", "en+translated"],
            "translation_languages": ["de"], "targets": ["xnli"], "target_languages": {"xnli": ["en", "de"]},
            "data_dirs": {t: str(copy) for t in ("mnli", "squad", "xnli")}, "output_root": str(path.parent / "out"),
            **fields}
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture
def squad_from(monkeypatch):
    """Point translate-train SQuAD's URL somewhere else (a file:// copy of the fixture, a dead port)."""
    def point(url):
        squad = REGISTRY["squad"]
        monkeypatch.setitem(REGISTRY, "squad", dataclasses.replace(
            squad, translated=dataclasses.replace(squad.translated, url=url)))
    return point


@pytest.fixture
def copy_dir(tmp_path):
    """A local copy with everything but translated SQuAD (as download-data writes it from the hub)."""
    copy = tmp_path / "copy"
    for part in ("mnli/en", "mnli/de", "squad/en", "xnli/en", "xnli/de"):
        shutil.copytree(FIXTURES / part, copy / part)
    return copy


def test_download_data_fetches_and_converts_translate_train_squad(tmp_path, copy_dir, squad_from, capsys):
    squad_from((FIXTURES / "squad" / "de").as_uri() + "/squad.translate.train.en-{lang}.json")
    study_file = write_study(tmp_path / "rq3.yaml", copy_dir)
    download.download(str(study_file), str(copy_dir))
    out = capsys.readouterr().out
    assert "squad/de/train: 3 rows" in out and "1 question(s)" in out  # the answer lost in translation
    assert (copy_dir / "squad" / "de" / RAW).is_file()  # the fetched file stays beside its conversion
    study = load_study(study_file)
    check_local_data(study)  # the preflight reads the converted copy line by line
    rows = load_split("squad", "de", "train", study)
    assert len(rows) == 3 and set(rows.column_names) == {"id", "context", "question", "answers"}
    for row in rows:  # every kept answer is where answer_start says
        start, text = row["answers"]["answer_start"][0], row["answers"]["text"][0]
        assert row["context"][start:start + len(text)] == text
    assert "Atlantischen Ozean" in rows["answers"][0]["text"]


def test_unreachable_translation_says_where_to_put_it_and_converts_it_offline(tmp_path, copy_dir, squad_from):
    squad_from("http://127.0.0.1:9/squad.translate.train.en-{lang}.json")  # nothing listens on port 9
    study_file = write_study(tmp_path / "rq3.yaml", copy_dir)
    with pytest.raises(DataUnavailable) as err:
        download.download(str(study_file), str(copy_dir))
    msg = str(err.value)
    assert "squad/de/train" in msg and "127.0.0.1:9" in msg and str(copy_dir / "squad" / "de" / RAW) in msg
    shutil.copy(FIXTURES / "squad" / "de" / RAW, copy_dir / "squad" / "de" / RAW)  # fetched elsewhere by hand
    download.download(str(study_file), str(copy_dir))
    assert len(load_split("squad", "de", "train", load_study(study_file))) == 3


def test_translated_mnli_is_xnli_train_through_the_local_copy(tmp_path):
    from stilts_utils.phases.pipeline import intermediate_rows

    study = load_study(write_study(tmp_path / "rq3.yaml", FIXTURES, intermediate=["none", "mnli"],
                                   data_dirs={"mnli": str(FIXTURES), "xnli": str(FIXTURES)}))
    german = load_split("mnli", "de", "train", study)
    assert german["label"] == [0, 2, 1, 0] and german["text_a"][0].startswith("Das Museum")

    def rows(data):
        return intermediate_rows(study, Encoder("xlm-roberta-large", "", "mnli", data, 0), "mnli")
    assert rows("translated:de")["text_a"] == german["text_a"]  # one language: its whole translated set
    assert rows("translated")["text_a"] == german["text_a"]  # translation_languages [de]
    assert len(rows("en+translated:de")) == 2 * len(german) and rows("en")["text_a"][0].startswith("The museum")


def test_translation_languages_are_their_own_setting():
    base = {"world": "xtreme", "models": ["xlm-roberta-large"], "intermediate": ["none", "mnli", "squad"],
            "intermediate_data": ["en", "translated", "translated:zh"], "targets": ["pawsx", "panx"]}
    study = study_from_dict({**base, "translation_languages": ["de", "hi"]}, "rq3")
    assert data_languages(study, "translated") == ["de", "hi"] and data_languages(study, "translated:zh") == ["zh"]
    assert {(t, lang) for t, lang, s in needed_splits(study) if s == "train" and lang != "en"} == {
        (t, lang) for t in ("mnli", "squad") for lang in ("de", "hi", "zh")}
    # translated SQuAD without a local copy: named with where it comes from and the command that writes it
    problems = " ".join(map(str, _local_problems(study, needed_splits(study))))
    assert "squad de, hi, zh: not on the hub" in problems and "download-data" in problems and "mnli" not in problems
    # the default (the targets' languages) reaches PAWS-X's ja/ko: one line naming the value and what is allowed
    with pytest.raises(Exception, match=r"intermediate_data: translation_languages is not set.*'af' has no mnli "
                                        r"translation; allowed: ar, bg, de"):
        study_from_dict(base, "rq3")
    with pytest.raises(Exception, match=r"translation_languages: 'ja' has no mnli translation"):
        study_from_dict({**base, "translation_languages": ["ja"]}, "rq3")
    with pytest.raises(Exception, match=r"'translated:fr': 'fr' has no squad translation; allowed: ar, de, el"):
        study_from_dict({**base, "intermediate_data": ["translated:fr"], "translation_languages": ["de"]}, "rq3")
    with pytest.raises(Exception, match=r"unknown value 'en:de'"):
        study_from_dict({**base, "intermediate_data": ["en:de"]}, "rq3")
