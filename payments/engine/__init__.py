"""Pure-Python payout engine (no Django): money in integer öre, models A and B, and
written-account conditions (population share if fulfilled)."""

from payments.engine.deliverable import (
    ADVANCE,
    REMAINDER,
    DeliverableLine,
    DeliverableParams,
    DeliverableResult,
    advance_of,
    instalment_run,
)
from payments.engine.deliverable import shares as deliverable_shares
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
    "ADVANCE",
    "REMAINDER",
    "DeliverableLine",
    "DeliverableParams",
    "DeliverableResult",
    "ModelAParams",
    "ModelBLine",
    "ModelBParams",
    "ModelBResult",
    "QuarterLine",
    "YearEndLine",
    "YearEndResult",
    "advance_of",
    "ceilings",
    "deliverable_shares",
    "earned_ore",
    "instalment_run",
    "quarter_run",
    "split_largest_remainder",
    "year_end_run",
    "year_run",
]
