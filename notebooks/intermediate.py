# %% [markdown]
# # Phase 2: intermediate-task training
#
# Trains the pretrained encoder on one English (or translated) intermediate task and saves the encoder at each checkpoint fraction of the study (RQ2). Cached: a second run returns the saved checkpoints. Run headless by `python -m stilts_utils run`; parameters below.

# %% tags=["parameters"]
study_file = "params/sandbox.yaml"  # the study this run belongs to
model = "sandbox-small"
variant = ""  # sandbox world variant for RQ1, empty for the study world
intermediate = "mnli"
intermediate_data = "en"  # en, translated or en+translated for RQ3
mlm_weight = 0.0  # share of phase-2 batches of continued MLM (the paper's alternative), 0 for none
seed = 0
threads = 0  # torch threads, 0 for all cores; the runner sets cores divided by parallel

# %%
from stilts_utils.phases import pipeline, session

session.setup(threads)

# %%
checkpoints = pipeline.train_intermediate(study_file, model, variant, intermediate, intermediate_data, seed,
                                          mlm_weight)
checkpoints
