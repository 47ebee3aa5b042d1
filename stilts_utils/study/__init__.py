"""Layer 1: what a study is (its file, its world) and the identity and paths of every run it asks for."""
