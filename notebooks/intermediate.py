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
seed = 0
threads = 0  # torch threads of this run (0: all cores); the executor sets the study's, whatever --parallel is
checkpoint_every = 0  # steps between resumable training checkpoints, 0 for none; set by the executor

# %%
from stilts_utils.phases import pipeline, session

session.setup(threads)

# %%
checkpoints = pipeline.train_intermediate(study_file, model, variant, intermediate, intermediate_data, seed,
                                         checkpoint_every)
checkpoints
