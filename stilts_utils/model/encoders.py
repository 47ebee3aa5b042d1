"""Pretrained encoders (phase 1): how to load them and how big they are.

Any model of a supported architecture family (`families.py` FAMILIES, found from the config's
`model_type`) works, hub id or local directory; mT5/T5 load only their encoder stack. Sizes are read from
each model's config (`families.depth`, `families.hidden_size`).
"""
from __future__ import annotations

from transformers import AutoConfig, AutoModel, AutoTokenizer, T5EncoderModel

from ..data.hub import ModelUnavailable, hub_reachable, model_help
from ..families import is_t5
from ..study.errors import StudyError
from ..study.worlds import remote_code_help


def _code_refused(name_or_path: str, err: ValueError) -> StudyError:
    """transformers' "pass trust_remote_code=True" as the study's own key (validation catches most cases
    first; this one is for a config it could not see, e.g. an uncached hub id)."""
    if "trust_remote_code" not in str(err):
        raise err
    return StudyError(remote_code_help(name_or_path), key="trust_remote_code")


def load_config(name_or_path: str, trust_remote_code: bool = False):
    """`trust_remote_code`: True only for the ids a study lists under `trust_remote_code:` (and their
    phase-2 checkpoints); the caller decides, never this module."""
    try:
        return AutoConfig.from_pretrained(name_or_path, trust_remote_code=trust_remote_code,
                                          local_files_only=not hub_reachable())
    except OSError as err:
        raise ModelUnavailable(model_help(name_or_path) + f" ({err.__class__.__name__})") from None
    except ValueError as err:
        raise _code_refused(name_or_path, err) from None


def load_encoder(name_or_path: str, trust_remote_code: bool = False):
    """The bare encoder (no LM head): AutoModel, or the encoder stack of a T5-family model."""
    config = load_config(name_or_path, trust_remote_code)
    cls = T5EncoderModel if is_t5(config) else AutoModel
    kwargs = {"trust_remote_code": trust_remote_code} if cls is AutoModel else {}
    return cls.from_pretrained(name_or_path, config=config, local_files_only=not hub_reachable(), **kwargs)


def load_tokenizer(name_or_path: str, trust_remote_code: bool = False):
    try:
        return AutoTokenizer.from_pretrained(name_or_path, trust_remote_code=trust_remote_code,
                                             local_files_only=not hub_reachable())
    except ValueError as err:
        raise _code_refused(name_or_path, err) from None


def count_parameters(module) -> int:
    return sum(p.numel() for p in module.parameters())

