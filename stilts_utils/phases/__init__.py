"""Layer 5: the three phases as calls a notebook makes (pretrained encoder, intermediate training, target
run), the Trainer around them and the tidy result rows they write."""
