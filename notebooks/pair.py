# %% [markdown]
# # Phase 3: one (model, intermediate task, target task, seed) pair
#
# A fresh head for the target task on the intermediate encoder (or the pretrained one for `intermediate = "none"`), fine-tuned on the target's English training data with the checkpoint selected on English dev only, then evaluated zero-shot on every target language. Retrieval targets (BUCC, Tatoeba) evaluate the encoder directly. The tidy rows are written atomically to `outputs/<study>/runs/<run_id>/rows.json`.

# %% tags=["parameters"]
study_file = "params/sandbox.yaml"  # the study this run belongs to
model = "sandbox-small"
variant = ""  # sandbox world variant for RQ1, empty for the study world
intermediate = "mnli"
intermediate_data = "en"  # en, translated or en+translated for RQ3
mlm_weight = 0.0  # share of phase-2 batches of continued MLM (the paper's alternative), 0 for none
seed = 0
threads = 0  # torch threads of this run (0: all cores); the executor sets the study's, whatever --parallel is
checkpoint_every = 0  # steps between resumable training checkpoints, 0 for none; set by the executor
checkpoint = 1.0  # fraction of the phase-2 steps behind the encoder, for RQ2
budget = 1.0  # phase-2 budget of the encoder (RQ2 `phase2_budgets`), its own run
target = "xnli"

# %%
from stilts_utils.phases import pipeline, session

session.setup(threads)

# %%
rows = pipeline.run_pair(study_file, model, variant, intermediate, intermediate_data, checkpoint, target, seed, budget,
                         checkpoint_every, mlm_weight)

# %%
session.pair_table(rows)
