"""Layer 5: the three phases. Phase 1 (`phase1.py`: the pretrained encoder, built from the world's recipe;
`pretrain.py`, `phase1_report.py`), phases 2 and 3 as calls a notebook makes (`pipeline.py`: intermediate
training, target run), the Trainer around them and the tidy result rows they write."""
