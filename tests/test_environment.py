"""environment.yml (conda users) and pyproject.toml must agree with what requirements.txt and stilts.sh install."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _pins(lines):
    return {line.split("#")[0].strip() for line in lines if "==" in line}


def _torch_pin() -> str:
    return re.search(r"torch==([\d.]+)", (ROOT / "stilts.sh").read_text()).group(1)


def test_environment_mirrors_requirements():
    req = _pins((ROOT / "requirements.txt").read_text().splitlines())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pins(pip) - {"-e ."} == req
    assert not any(p.startswith("torch") for p in pip), "torch in the pip list is not installed first"


def test_conda_installs_the_pinned_torch_before_pip():
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda = [d for d in deps if isinstance(d, str)]
    assert f"pytorch={_torch_pin()}" in conda
    pip_at = next(i for i, d in enumerate(deps) if isinstance(d, dict))
    assert deps.index(f"pytorch={_torch_pin()}") < pip_at


def test_setup_script_pins_torch_first():
    script = (ROOT / "stilts.sh").read_text()
    assert script.index("TORCH") < script.index("-r requirements.txt")
    assert "torch==2.13.0" in script
    assert "stilts.sh test" in (ROOT / ".ci" / "run").read_text()


def test_pyproject_declares_the_stack_unpinned_and_a_console_script():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {re.split(r"[<>=!~ ]", d)[0].lower(): d for d in
                project["dependencies"] + project["optional-dependencies"]["test"]}
    pins = dict(p.split("==") for p in _pins((ROOT / "requirements.txt").read_text().splitlines()))
    assert set(declared) == {n.lower() for n in pins} | {"torch"}
    for name, version in {**pins, "torch": _torch_pin()}.items():
        assert declared[name.lower()] == f"{name}>={version}", "lower bounds at the pins; pins stay in requirements"
    assert project["scripts"]["stilts"] == "stilts_utils.cli.main:main"


def test_requirements_name_no_missing_script():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        for path in re.findall(r"[\w./-]+\.(?:sh|py)\b", line):
            assert (ROOT / path).exists(), f"requirements.txt names {path}, which does not exist"


def test_license_and_citation():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["license"] == "MIT"
    titles = [r["title"] for r in cff["references"]]
    assert any("Cross-Lingual Transfer Too" in t for t in titles)
    assert {a["family-names"] for r in cff["references"] for a in r["authors"]} >= {"Phang", "Bowman"}
