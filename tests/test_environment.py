"""environment.yml (conda users) must pin exactly what requirements.txt and stilts.sh install."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _pins(lines):
    return {line.split("#")[0].strip() for line in lines if "==" in line}


def test_environment_mirrors_requirements():
    req = _pins((ROOT / "requirements.txt").read_text().splitlines())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pins(pip) == req | {"torch==2.13.0"}


def test_setup_script_pins_torch_first():
    script = (ROOT / "stilts.sh").read_text()
    assert script.index("TORCH") < script.index("-r requirements.txt")
    assert "torch==2.13.0" in script
    assert "stilts.sh test" in (ROOT / ".ci" / "run").read_text()
