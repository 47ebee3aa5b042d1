"""Layer 3: encoders (loading, sizes) and the kinds, each with its featuriser, head, decoder and scorer."""
