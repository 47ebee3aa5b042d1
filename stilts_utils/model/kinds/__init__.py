"""Kind registry: each kind module owns featurisation, its head, prediction decoding and its scorer.

A kind module exports `featurize`, `train_features`, `collator`, `LABEL_NAMES`, `make_head`, `predict`,
`gold`, `scorer` and `score` (retrieval: `embed`, `sides` and `scorer`; it trains no head). dual_encoder trains its head with in-batch
negatives and needs no label (LABEL_NAMES = ()).
"""
from . import classification, dual_encoder, multiple_choice, retrieval, span_qa, tagging

KINDS = {
    "classification": classification,
    "multiple_choice": multiple_choice,
    "span_qa": span_qa,
    "tagging": tagging,
    "retrieval": retrieval,
    "dual_encoder": dual_encoder,
}


def kind_of(task):
    """The kind module of a task; an unknown kind names the task and the kinds there are."""
    try:
        return KINDS[task.kind]
    except KeyError:
        raise ValueError(f"task {task.name!r}: kind {task.kind!r} is not one of {', '.join(KINDS)}") from None
