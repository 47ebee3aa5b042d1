# %% [markdown]
# # Phase 2: intermediate-task training
#
# Trains the pretrained encoder on one English (or translated) intermediate task for `budget` of the phase-2 run (its own warm-up and decay; RQ2) and saves the encoder at each checkpoint fraction of the study (RQ2, the cheap setting). Cached: a second run returns the saved checkpoints. Run headless by `python -m stilts_utils run`; parameters below.

# %% tags=["parameters"]
study_file = "params/sandbox.yaml"  # the study this run belongs to
model = "sandbox-small"
variant = ""  # sandbox world variant for RQ1, empty for the study world
intermediate = "mnli"
intermediate_data = "en"  # en, translated or en+translated for RQ3
mlm_weight = 0.0  # share of phase-2 batches of continued MLM (the paper's alternative), 0 for none
seed = 0
budget = 1.0  # share of the phase-2 run, trained with its own schedule (RQ2 `phase2_budgets`)
threads = 0  # torch threads of this run (0: all cores); the executor sets the study's, whatever --parallel is
checkpoint_every = 0  # steps between resumable training checkpoints, 0 for none; set by the executor

# %%
from stilts_utils.phases import pipeline, session

session.setup(threads)

# %%
checkpoints = pipeline.train_intermediate(study_file, model, variant, intermediate, intermediate_data, seed, budget,
                                         checkpoint_every, mlm_weight)
checkpoints
