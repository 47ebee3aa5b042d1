"""Stable short hashes of plain data: the part of a run's identity that says which settings made it."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict


def short_hash(obj) -> str:
    """Stable 10-hex-digit hash of plain data (dataclasses included)."""
    data = asdict(obj) if hasattr(obj, "__dataclass_fields__") else obj
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:10]
