"""X-STILTs study kit: English intermediate-task training and zero-shot cross-lingual transfer.

Kept light on import: notebooks and the CLI import the submodules they need."""
__version__ = "0.1.0"
