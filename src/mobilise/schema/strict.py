"""A pydantic base that rejects unknown keys with a message naming them.

Typos in a scenario must not be silently ignored: ``thresold: 0.3`` is an error
that says which key is unknown and which known key it resembles.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from mobilise.vocabulary import unknown_name


class Strict(BaseModel):
    """Frozen, closed to unknown keys, and every number finite (no NaN, no infinity)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        known = set(cls.model_fields)
        known |= {f.alias for f in cls.model_fields.values() if f.alias}
        for key in data:
            if key not in known:
                raise unknown_name("key", key, sorted(known))
        return data
