"""`python -m stilts_utils ...`: the command line lives in `cli/main.py`."""
import sys

from .cli.main import main

if __name__ == "__main__":
    sys.exit(main())
