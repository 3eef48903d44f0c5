"""factory-boy factories for the domain (reference data comes from load_reference_data)."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from rehab.models import ReportingPeriod, User

TEST_PASSWORD = "test-lösenord-123"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.se")
    password = factory.django.Password(TEST_PASSWORD)


def report_version(
    *,
    region: str,
    year: int,
    quarter: int | None = None,
    user: User,
    series: dict[tuple[str, str, str], int] | None = None,
    extras: dict[tuple[str, str], int] | None = None,
    status: str = "ACCEPTED",
) -> Any:
    """A report version with its figures, straight into the database (for tests of
    what reads reports: payouts, statistics). `series` maps (treatment, sex,
    provider) to a count, `extras` maps (kind, sex) to a count. An ACCEPTED
    version becomes the report's version in force, superseding an earlier one."""
    from django.db import transaction

    # One transaction: a version is accepted and put in force together (the database
    # refuses a report in force pointing elsewhere, reporting.models).
    with transaction.atomic():
        return _report_version(region, year, quarter, user, series, extras, status)


def _report_version(
    region: str,
    year: int,
    quarter: int | None,
    user: User,
    series: dict[tuple[str, str, str], int] | None,
    extras: dict[tuple[str, str], int] | None,
    status: str,
) -> Any:
    from django.utils import timezone

    from reporting.models import ExtraCount, Report, ReportVersion, SeriesCount

    report, _ = Report.objects.get_or_create(
        region_id=region, period=ReportingPeriod.objects.get(agreement__year=year, quarter=quarter)
    )
    number = (report.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ReportVersion.objects.create(
        report=report, number=number, status="DRAFT", created_by=user, is_correction=number > 1
    )
    SeriesCount.objects.bulk_create(
        SeriesCount(version=version, treatment_id=t, sex=s, provider=p, value=v)
        for (t, s, p), v in (series or {}).items()
    )
    ExtraCount.objects.bulk_create(
        ExtraCount(version=version, kind=k, sex=s, value=v) for (k, s), v in (extras or {}).items()
    )
    if status == "DRAFT":
        return version
    now = timezone.now()
    ReportVersion.objects.filter(pk=version.pk).update(
        status="SUBMITTED", submitted_by=user, submitted_at=now
    )
    if status == "ACCEPTED":
        previous = report.accepted_version_id
        if previous:
            ReportVersion.objects.filter(pk=previous).update(status="SUPERSEDED")
        ReportVersion.objects.filter(pk=version.pk).update(
            status="ACCEPTED", decided_by=user, decided_at=now
        )
        Report.objects.filter(pk=report.pk).update(accepted_version=version)
    version.refresh_from_db()
    return version


def as_quarterly(year: int) -> Any:
    """The year's villkor 3 reported by quarter, as an administrator can set it in the
    admin while nobody has reported on it (and as databases from before 2016–2020
    became yearly have it): the condition and four quarterly periods."""
    import datetime

    from rehab.enums import ReportingFrequency
    from rehab.models import Condition

    condition = Condition.objects.get(agreement__year=year, code="V3")
    condition.frequency = ReportingFrequency.QUARTERLY
    condition.save(update_fields=["frequency"])
    ReportingPeriod.objects.filter(agreement__year=year).delete()
    for quarter in range(1, 5):
        first = datetime.date(year, 3 * quarter - 2, 1)
        last = (
            datetime.date(year, 12, 31)
            if quarter == 4
            else datetime.date(year, 3 * quarter + 1, 1) - datetime.timedelta(days=1)
        )
        ReportingPeriod.objects.create(
            agreement=condition.agreement,
            condition=condition,
            quarter=quarter,
            start_date=first,
            end_date=last,
            opens_on=last + datetime.timedelta(days=1),
            deadline=datetime.date(year + 1, 8, 15),
        )
    return condition
