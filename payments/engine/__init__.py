"""Pure-Python payout engine (no Django): money in integer öre, models A and B."""

from payments.engine.model_a import (
    ModelAParams,
    QuarterLine,
    YearEndLine,
    YearEndResult,
    ceilings,
    earned_ore,
    quarter_run,
    year_end_run,
)
from payments.engine.model_b import ModelBLine, ModelBParams, ModelBResult, year_run
from payments.engine.money import split_largest_remainder

__all__ = [
    "ModelAParams",
    "ModelBLine",
    "ModelBParams",
    "ModelBResult",
    "QuarterLine",
    "YearEndLine",
    "YearEndResult",
    "ceilings",
    "earned_ore",
    "quarter_run",
    "split_largest_remainder",
    "year_end_run",
    "year_run",
]
