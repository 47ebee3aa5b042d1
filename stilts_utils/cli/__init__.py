"""Layer 7 (top): the command line and the batch runner that executes the notebooks."""
