"""Batched column maps from a dataset's own schema to a kind's canonical columns (docs/design.md §4).

Shared by every task with the same shape of data, so a task module only names its columns. Every map is
called as `fn(batch, indices)` (datasets `with_indices=True`), so row ids can be global."""


def pair(a: str, b: str | None, label: str = "label"):
    """Sentence(-pair) classification: text_a, text_b ("" when single sentence), label."""
    def to_canonical(batch: dict, indices: list) -> dict:
        n = len(batch[a])
        return {"text_a": batch[a], "text_b": batch[b] if b else [""] * n, "label": batch[label]}
    return to_canonical


def tags(tokens: str, labels: str):
    """Token tagging: tokens, tags (ids)."""
    def to_canonical(batch: dict, indices: list) -> dict:
        return {"tokens": batch[tokens], "tags": batch[labels]}
    return to_canonical


def squad(batch: dict, indices: list) -> dict:
    """Span QA keeps the SQuAD schema; only the columns the kind reads."""
    return {k: batch[k] for k in ("id", "context", "question", "answers")}


def parallel_pairs(src: str, trg: str):
    """Aligned sentence pairs (Tatoeba) -> retrieval rows: side, id, text, gold (id on the other side).

    Row i of the source side is the translation of row i of the English side."""
    def to_canonical(batch: dict, indices: list) -> dict:
        out = {"side": [], "id": [], "text": [], "gold": []}
        for row, s, t in zip(indices, batch[src], batch[trg]):
            key = str(row)
            for side, text, own, other in (("src", s, "src-", "trg-"), ("trg", t, "trg-", "src-")):
                out["side"].append(side)
                out["id"].append(own + key)
                out["text"].append(text)
                out["gold"].append(other + key)
        return out
    return to_canonical


def choices(prompt, options, label):
    """Multiple choice: prompt, choices (list), label (int). Each argument maps one row (a dict) to its value,
    so a task module states its schema in three short lambdas."""
    def to_canonical(batch: dict, indices: list) -> dict:
        rows = [dict(zip(batch, values)) for values in zip(*batch.values())]
        return {"prompt": [prompt(r) for r in rows], "choices": [list(options(r)) for r in rows],
                "label": [int(label(r)) for r in rows]}
    return to_canonical
