"""Pretrained encoders (phase 1): which ones we know, how to load them, how big they are.

Any encoder that `AutoModel` loads works; mT5/T5 load only their encoder stack. The table lists the
models a study may name without a local path; its numbers are read from each model's config at run time.
"""
from __future__ import annotations

import os
import socket
from pathlib import Path

# name -> encoder class family (how to load) and the pooling its classification head uses.
MODELS = {
    "xlm-roberta-base": {"loader": "auto", "pooling": "cls"},
    "xlm-roberta-large": {"loader": "auto", "pooling": "cls"},
    "FacebookAI/xlm-roberta-base": {"loader": "auto", "pooling": "cls"},
    "FacebookAI/xlm-roberta-large": {"loader": "auto", "pooling": "cls"},
    "bert-base-multilingual-cased": {"loader": "auto", "pooling": "cls"},
    "microsoft/mdeberta-v3-base": {"loader": "auto", "pooling": "cls"},
    "google/mt5-small": {"loader": "t5-encoder", "pooling": "mean"},
    "google/mt5-base": {"loader": "t5-encoder", "pooling": "mean"},
    "google/mt5-large": {"loader": "t5-encoder", "pooling": "mean"},
    "google/mt5-xl": {"loader": "t5-encoder", "pooling": "mean"},
}
# Retrieval uses hidden_states[14] of XLM-R Large's 24 layers (jiant/XTREME); other depths scale it.
RETRIEVAL_LAYER_FRACTION = 14 / 24


class ModelUnavailable(RuntimeError):
    """The model is neither local nor reachable; the message says how to get it."""


def hub_reachable(timeout: float = 2.0) -> bool:
    """One quick TCP probe instead of the hub client's retry loop (~25 s when offline)."""
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        return False
    try:
        socket.create_connection(("huggingface.co", 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def is_t5(config) -> bool:
    return getattr(config, "model_type", "") in ("t5", "mt5", "umt5")


def load_config(name_or_path: str, trust_remote_code: bool = False):
    from transformers import AutoConfig

    try:
        return AutoConfig.from_pretrained(name_or_path, trust_remote_code=trust_remote_code,
                                          local_files_only=not hub_reachable())
    except OSError as err:
        raise ModelUnavailable(model_help(name_or_path) + f" ({err.__class__.__name__})") from None


def model_help(name: str) -> str:
    offline = (" HF_HUB_OFFLINE=1 is set (stilts.sh sets it unless told otherwise): with a reachable hub, "
               "run with HF_HUB_OFFLINE=0 HF_DATASETS_OFFLINE=0.") if os.environ.get("HF_HUB_OFFLINE") == "1" else ""
    return (f"model {name!r} is not in the local Hugging Face cache and the hub cannot be reached. On a "
            f"machine with internet run `hf download {name}` and copy ~/.cache/huggingface here (or set "
            f"HF_HOME to a shared copy), or name a local model directory in `models:`." + offline)


def load_encoder(name_or_path: str, trust_remote_code: bool = False):
    """The bare encoder (no LM head): AutoModel, or the encoder stack of a T5-family model."""
    from transformers import AutoModel, T5EncoderModel

    config = load_config(name_or_path, trust_remote_code)
    cls = T5EncoderModel if is_t5(config) else AutoModel
    kwargs = {"trust_remote_code": trust_remote_code} if cls is AutoModel else {}
    return cls.from_pretrained(name_or_path, config=config, local_files_only=not hub_reachable(), **kwargs)


def load_tokenizer(name_or_path: str, trust_remote_code: bool = False):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(name_or_path, trust_remote_code=trust_remote_code,
                                         local_files_only=not hub_reachable())


def count_parameters(module) -> int:
    return sum(p.numel() for p in module.parameters())


def num_layers(config) -> int:
    return getattr(config, "num_hidden_layers", None) or getattr(config, "num_layers")


def retrieval_layer(config, layer: int = -1) -> int:
    """hidden_states index used for retrieval: the setting, or 14/24 of the depth (XLM-R Large: 14)."""
    depth = num_layers(config)
    if layer >= 0:
        if layer > depth:
            raise ValueError(f"retrieval.layer {layer} exceeds the model's {depth} layers")
        return layer
    return max(1, round(depth * RETRIEVAL_LAYER_FRACTION))


def default_pooling(name_or_path: str, config) -> str:
    if name_or_path in MODELS:
        return MODELS[name_or_path]["pooling"]
    return "mean" if is_t5(config) else "cls"


def save_encoder(encoder, tokenizer, out_dir: str | Path) -> None:
    encoder.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
