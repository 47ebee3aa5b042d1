"""One torchrun worker of a multi-process phase 2 (see distributed.py): `python -m` entry point."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..study.config import load_study
from ..study.identity import Encoder
from .pipeline import train_encoder_into


def main(argv=None) -> None:
    spec = json.loads((argv or sys.argv[1:])[0])
    train_encoder_into(load_study(spec["study"]), Encoder(**spec["job"]), Path(spec["out"]), spec["checkpoint_every"])


if __name__ == "__main__":
    main()
