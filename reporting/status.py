"""The status of a report from its versions: one function, read by the pages, the
API and the written accounts (which build their own states on it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .enums import ReportState, VersionStatus


def state_of(versions: Sequence[Any]) -> ReportState:
    """The overview's status of a report from its versions (in number order): each
    needs `status` and `is_correction` (a ReportVersion, or a row with those)."""
    if not versions:
        return ReportState.NOT_STARTED
    latest = versions[-1]
    previous = versions[-2] if len(versions) > 1 else None
    if latest.status == VersionStatus.DRAFT:
        if previous is not None and previous.status == VersionStatus.RETURNED:
            return ReportState.RETURNED
        if latest.is_correction:
            return ReportState.CORRECTING
        return ReportState.DRAFT
    if latest.status == VersionStatus.SUBMITTED:
        return ReportState.SUBMITTED
    if latest.status == VersionStatus.RETURNED:
        return ReportState.RETURNED
    return ReportState.ACCEPTED
