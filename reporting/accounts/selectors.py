"""Reads of written accounts: the state of each region × condition (through the
treatment reports' status function, reporting.status.state_of), and who
assessed a condition fulfilled and when (for payouts and their explanations)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rehab.models import Condition

from ..enums import ReportState
from ..status import state_of
from .models import AccountVersion


class AccountState(models.TextChoices):
    NOT_STARTED = "NOT_STARTED", _("Ej påbörjad")
    DRAFT = "DRAFT", _("Utkast")
    SUBMITTED = "SUBMITTED", _("Inskickad")
    RETURNED = "RETURNED", _("Återsänd för komplettering")
    FULFILLED = "FULFILLED", _("Bedömd: uppfyllt")
    NOT_FULFILLED = "NOT_FULFILLED", _("Bedömd: inte uppfyllt")
    PAID = "PAID", _("Utbetald")


@dataclass(frozen=True)
class _VersionRow:
    number: int
    status: str
    fulfilled: bool | None
    is_correction: bool = False


def account_state(rows: Sequence[Any]) -> AccountState:
    """An account's state from its versions (in number order): the treatment reports'
    status function (state_of), with an assessed account told fulfilled or not."""
    state = state_of(rows)
    if state == ReportState.ACCEPTED:
        return AccountState.FULFILLED if rows[-1].fulfilled else AccountState.NOT_FULFILLED
    if state == ReportState.CORRECTING:
        return AccountState.DRAFT
    return AccountState(str(state))


def account_states(conditions: Iterable[Condition]) -> dict[tuple[int, str], AccountState]:
    """The state of every region × condition that has an account (one query);
    a pair without an account is NOT_STARTED."""
    rows: dict[tuple[int, str], list[_VersionRow]] = defaultdict(list)
    for condition_id, region, number, status, fulfilled in (
        AccountVersion.objects.filter(account__condition__in=list(conditions))
        .order_by("account__condition_id", "account__region_id", "number")
        .values_list("account__condition_id", "account__region_id", "number", "status", "fulfilled")
    ):
        rows[(condition_id, region)].append(_VersionRow(number, status, fulfilled))
    return {key: account_state(versions) for key, versions in rows.items()}


@dataclass(frozen=True)
class Fulfilment:
    """An assessed account: fulfilled or not, assessed by whom and when."""

    region: str
    fulfilled: bool
    assessed_on: datetime.date
    assessed_by: str
    version_id: int
    version_number: int


def condition_fulfilments(condition: Condition) -> dict[str, Fulfilment]:
    """The assessed accounts of a condition, per region (one query)."""
    out: dict[str, Fulfilment] = {}
    for version in (
        AccountVersion.objects.filter(
            account__condition=condition, account__assessed_version__isnull=False
        )
        .filter(pk=models.F("account__assessed_version"))
        .select_related("decided_by", "account")
        .order_by("account__region_id")
    ):
        assert version.decided_at is not None and version.decided_by is not None
        out[version.account.region_id] = Fulfilment(
            region=version.account.region_id,
            fulfilled=bool(version.fulfilled),
            assessed_on=timezone.localtime(version.decided_at).date(),
            assessed_by=version.decided_by.get_full_name() or version.decided_by.username,
            version_id=version.pk,
            version_number=version.number,
        )
    return out


def accounts_to_assess(user: Any) -> list[AccountVersion]:
    """Submitted written accounts waiting for FK's assessment, in the regions `user`
    may read, oldest submission first (one query)."""
    from rehab.permissions import Action, scoped

    return list(
        scoped(
            AccountVersion.objects.filter(status="SUBMITTED"),
            user,
            Action.VIEW_REPORTS,
            field="account__region",
        )
        .select_related("account__region", "account__condition__agreement", "submitted_by")
        .order_by("submitted_at", "pk")
    )
