"""Pure-Python payout engine (no Django): money in integer öre. Every payout rule is
here: model A (quarters, year-end settlement and redistribution), model B (the year,
"the whole year accepted", contact bonus, adjustment against earlier runs) and
written-account conditions (population share if fulfilled)."""

from payments.engine.deliverable import (
    ADVANCE,
    REMAINDER,
    DeliverableLine,
    DeliverableParams,
    DeliverableResult,
    advance_pot,
    advances,
    instalment_run,
)
from payments.engine.deliverable import shares as deliverable_shares
from payments.engine.model_a import (
    ModelAParams,
    QuarterLine,
    YearEndLine,
    YearEndResult,
    YearEndSettledLine,
    ceilings,
    earned_ore,
    quarter_run,
    year_end_run,
    year_end_settlement,
)
from payments.engine.model_b import (
    ModelBLine,
    ModelBParams,
    ModelBResult,
    SettledLine,
    whole_year_accepted,
    year_run,
    year_settlement,
)
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
    "SettledLine",
    "YearEndLine",
    "YearEndResult",
    "YearEndSettledLine",
    "advance_pot",
    "advances",
    "ceilings",
    "deliverable_shares",
    "earned_ore",
    "instalment_run",
    "quarter_run",
    "split_largest_remainder",
    "whole_year_accepted",
    "year_end_run",
    "year_end_settlement",
    "year_run",
    "year_settlement",
]
