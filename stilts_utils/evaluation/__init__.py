"""Layer 4: scoring a model on a task (English dev, zero-shot languages, retrieval) and XTREME submissions."""
