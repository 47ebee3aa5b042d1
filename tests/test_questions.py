"""The README's questions block is what `python -m stilts_utils questions` prints on this commit: every
question has a sandbox study, a real-model study, an analysis notebook and `plan`'s GPU-hours."""
from pathlib import Path

from stilts_utils.cli import questions
from stilts_utils.cli.main import main
from stilts_utils.study.config import REPO_ROOT, load_study

README = REPO_ROOT / "README.md"


def test_the_readme_block_is_current():
    text = README.read_text()
    start, end = text.index(questions.BEGIN), text.index(questions.END) + len(questions.END)
    assert text[start:end] == questions.block(), "run `python -m stilts_utils questions --readme README.md`"


def test_every_question_names_existing_studies_with_a_known_cost():
    table = questions.block().splitlines()
    rows = [line for line in table if line.startswith("| RQ")]
    assert [r.split()[1] for r in rows] == ["RQ1", "RQ2", "RQ3", "RQ4", "RQ5"]
    assert not any(r.rstrip(" |").endswith("?") for r in rows), "every real study has a GPU-hour estimate"
    for _, sandbox, real in questions.QUESTIONS:
        assert load_study(REPO_ROOT / sandbox).world == "sandbox"
        assert load_study(REPO_ROOT / real, check_data=False).world == "xtreme"


def test_questions_readme_replaces_only_its_block(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"head\n{questions.BEGIN}\nold\n{questions.END}\ntail\n")
    assert main(["questions", "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert text.startswith("head\n") and text.endswith("tail\n") and "old" not in text and "| RQ5" in text
    assert main(["questions", "--readme", str(tmp_path / "none.md")]) == 2
    assert "questions block" in capsys.readouterr().err
