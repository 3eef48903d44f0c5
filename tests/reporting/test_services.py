"""The life of a report: drafts, submission, FK's review, returns and corrections."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from rehab.models import ReportingPeriod
from reporting.figures import Figures
from reporting.models import (
    ExtraCount,
    Report,
    ReportEvent,
    ReportVersion,
    SeriesCount,
    WarningExplanation,
)
from reporting.selectors import figures_of, previous_figures, version_changes
from reporting.services import (
    InvalidTransition,
    NotAllowed,
    ReportError,
    StaleDraft,
    ValidationFailed,
    report_accept,
    report_get_or_create,
    report_open_draft,
    report_return,
    report_save_draft,
    report_start_correction,
    report_submit,
)
from tests.factories import report_version

OPEN_DAY = datetime.date(2021, 3, 1)  # the yearly 2020 is open, deadline 2021-08-15
FIGURES = Figures(
    series={("KBT", "F", "PUBLIC"): 12, ("MMR1", "M", "PRIVATE"): 3},
    extras={("EMPLOYER_CONTACT", "F"): 2},
    comment="Som vanligt.",
)


def q4():
    """The period the tests report on: the yearly 2020 (villkor 3 is reported once a year)."""
    return ReportingPeriod.objects.get(agreement__year=2020, quarter=None)


def draft_for(user, region="01"):
    report = report_get_or_create(region=region, period=q4(), acting_user=user)
    return report_open_draft(report=report, acting_user=user)


def saved_draft(user, figures=FIGURES):
    version = draft_for(user)
    return report_save_draft(
        version=version, figures=figures, lock_version=version.lock_version, acting_user=user
    )


def submitted(user, figures=FIGURES):
    version = saved_draft(user, figures)
    return report_submit(
        version=version,
        lock_version=version.lock_version,
        explanations={},
        eligibility_confirmed=True,
        acting_user=user,
        today=OPEN_DAY,
    )


def events(report):
    return list(
        ReportEvent.objects.filter(report=report)
        .order_by("pk")
        .values_list("action", "version__number", "actor__username")
    )


# --------------------------------------------------------------------------- drafts


def test_open_draft_creates_version_one(coordinator):
    version = draft_for(coordinator)
    assert (version.number, version.status, version.lock_version) == (1, "DRAFT", 0)
    assert version.created_by == coordinator
    assert figures_of(version) == Figures()
    # Opening again gives the same draft.
    assert draft_for(coordinator).pk == version.pk
    assert events(version.report) == [("CREATED", 1, "samordnare01")]


def test_save_draft_replaces_figures_and_counts_saves(coordinator):
    version = saved_draft(coordinator)
    assert version.lock_version == 1
    assert figures_of(version) == FIGURES
    smaller = Figures(series={("KBT", "F", "PUBLIC"): 5})
    version = report_save_draft(
        version=version, figures=smaller, lock_version=1, acting_user=coordinator
    )
    version.refresh_from_db()
    assert (version.lock_version, version.updated_by, version.comment) == (2, coordinator, "")
    assert figures_of(version) == smaller
    assert events(version.report) == [
        ("CREATED", 1, "samordnare01"),
        ("SAVED", 1, "samordnare01"),
        ("SAVED", 1, "samordnare01"),
    ]


def test_save_draft_second_save_with_old_lock_version_is_refused(coordinator):
    from tests.factories import UserFactory

    colleague = UserFactory(
        username="kollega01",
        first_name="Eva",
        last_name="Ström",
        role="REGION_COORDINATOR",
        region_id="01",
    )
    version = draft_for(coordinator)
    loaded = version.lock_version  # both open the form at lock_version 0
    first = Figures(series={("KBT", "F", "PUBLIC"): 40})
    report_save_draft(version=version, figures=first, lock_version=loaded, acting_user=colleague)
    with pytest.raises(StaleDraft) as refused:
        report_save_draft(
            version=version,
            figures=Figures(series={("KBT", "F", "PUBLIC"): 99}),
            lock_version=loaded,
            acting_user=coordinator,
        )
    assert refused.value.code == "stale_draft"
    assert refused.value.message == (
        "Utkastet har sparats av Eva Ström efter att du öppnade det. Dina ändringar "
        "sparades inte. Ladda om sidan för att se de senaste siffrorna."
    )
    version.refresh_from_db()
    assert version.lock_version == 1
    assert figures_of(version) == first


def test_save_draft_refuses_bad_values_and_saves_nothing(coordinator):
    version = saved_draft(coordinator)
    with pytest.raises(ValidationFailed) as refused:
        report_save_draft(
            version=version,
            figures=Figures(series={("KBT", "F", "PUBLIC"): -1, ("IPT", "F", "PUBLIC"): 2.5}),
            lock_version=version.lock_version,
            acting_user=coordinator,
        )
    assert refused.value.code == "validation_failed"
    assert [(i.code, i.key) for i in refused.value.result.errors] == [
        ("negative", "KBT:F:PUBLIC"),
        ("not_whole_number", "IPT:F:PUBLIC"),
    ]
    version.refresh_from_db()
    assert version.lock_version == 1
    assert figures_of(version) == FIGURES


def test_save_draft_refuses_treatment_not_in_agreement(coordinator):
    report = report_get_or_create(
        region="01",
        period=ReportingPeriod.objects.get(agreement__year=2012, quarter=1),
        acting_user=coordinator,
    )
    version = report_open_draft(report=report, acting_user=coordinator)
    with pytest.raises(ValidationFailed) as refused:
        report_save_draft(
            version=version,
            figures=Figures(series={("IKBT", "M", "PUBLIC"): 4}),
            lock_version=0,
            acting_user=coordinator,
        )
    assert [i.message for i in refused.value.result.errors] == [
        "IKBT ingår inte i överenskommelsen för 2012."
    ]
    assert SeriesCount.objects.filter(version=version).count() == 0


# --------------------------------------------------------------------------- permissions


def test_other_regions_coordinator_cannot_create_or_edit(coordinator, other_coordinator):
    with pytest.raises(NotAllowed) as refused:
        report_get_or_create(region="01", period=q4(), acting_user=other_coordinator)
    assert refused.value.code == "not_allowed"
    assert refused.value.message == "Du har inte behörighet att göra detta."
    version = draft_for(coordinator)
    with pytest.raises(NotAllowed):
        report_get_or_create(region="01", period=q4(), acting_user=other_coordinator)
    with pytest.raises(NotAllowed):
        report_save_draft(
            version=version, figures=FIGURES, lock_version=0, acting_user=other_coordinator
        )
    with pytest.raises(NotAllowed):
        report_submit(
            version=version,
            lock_version=0,
            explanations={},
            eligibility_confirmed=True,
            acting_user=other_coordinator,
        )
    assert figures_of(version) == Figures()


def test_viewer_only_reads(coordinator, viewer):
    with pytest.raises(NotAllowed):
        report_get_or_create(region="01", period=q4(), acting_user=viewer)
    version = draft_for(coordinator)
    assert report_get_or_create(region="01", period=q4(), acting_user=viewer) == version.report
    with pytest.raises(NotAllowed):
        report_open_draft(report=version.report, acting_user=viewer)
    with pytest.raises(NotAllowed):
        report_save_draft(version=version, figures=FIGURES, lock_version=0, acting_user=viewer)


def test_fk_reads_all_but_never_types_figures(coordinator, case_officer, admin_user):
    version = draft_for(coordinator)
    assert (
        report_get_or_create(region="01", period=q4(), acting_user=case_officer) == version.report
    )
    for fk_user in (case_officer, admin_user):
        with pytest.raises(NotAllowed):
            report_open_draft(report=version.report, acting_user=fk_user)
        with pytest.raises(NotAllowed):
            report_save_draft(version=version, figures=FIGURES, lock_version=0, acting_user=fk_user)
        with pytest.raises(NotAllowed):
            report_get_or_create(region="05", period=q4(), acting_user=fk_user)
    assert figures_of(version) == Figures()


def test_coordinator_cannot_review(coordinator, approver):
    version = submitted(coordinator)
    for user in (coordinator, approver):
        with pytest.raises(NotAllowed):
            report_accept(version=version, acting_user=user)
        with pytest.raises(NotAllowed):
            report_return(version=version, comment="Fel", acting_user=user)
    version.refresh_from_db()
    assert version.status == "SUBMITTED"


# --------------------------------------------------------------------------- submit


def test_submit_sets_status_who_when_and_fills_absent_cells_with_zero(coordinator):
    version = submitted(coordinator)
    version.refresh_from_db()
    assert version.status == "SUBMITTED"
    assert version.submitted_by == coordinator
    assert version.submitted_at is not None
    assert version.submitted_late is False
    cells = figures_of(version).cells()
    # 11 treatments × 2 sexes × 2 providers, plus 2 contact kinds and video × 2 sexes.
    assert len(cells) == 44 + 6
    assert (cells["KBT:F:PUBLIC"], cells["IPT:M:PRIVATE"], cells["VIDEO:M"]) == (12, 0, 0)
    assert events(version.report)[-1] == ("SUBMITTED", 1, "samordnare01")


def test_submit_refused_with_errors(coordinator):
    bad = Figures(series={("KBT", "F", "PUBLIC"): 1}, extras={("AF_CONTACT", "F"): 2})
    version = saved_draft(coordinator, bad)
    with pytest.raises(ValidationFailed) as refused:
        report_submit(
            version=version,
            lock_version=version.lock_version,
            explanations={},
            eligibility_confirmed=True,
            acting_user=coordinator,
            today=OPEN_DAY,
        )
    assert refused.value.code == "validation_failed"
    assert refused.value.message == "Rapporten kan inte skickas in: rätta felen först."
    assert [i.code for i in refused.value.result.errors] == ["af_contacts_exceed_series"]
    version.refresh_from_db()
    assert version.status == "DRAFT"
    assert figures_of(version) == bad


def test_submit_refused_before_the_period_opens(coordinator):
    version = saved_draft(coordinator)
    with pytest.raises(ValidationFailed) as refused:
        report_submit(
            version=version,
            lock_version=version.lock_version,
            explanations={},
            eligibility_confirmed=True,
            acting_user=coordinator,
            today=datetime.date(2020, 12, 1),
        )
    assert [i.message for i in refused.value.result.errors] == [
        "Perioden 2020 öppnar för rapportering 2021-01-01."
    ]


def test_submit_needs_an_explanation_for_each_warning(coordinator):
    report_version(region="01", year=2019, user=coordinator, series={("KBT", "F", "PUBLIC"): 80})
    figures = Figures(series={("IPT", "F", "PUBLIC"): 30})
    version = saved_draft(coordinator, figures)
    late = datetime.date(2021, 9, 1)
    with pytest.raises(ValidationFailed) as refused:
        report_submit(
            version=version,
            lock_version=version.lock_version,
            explanations={"": "Sjukdom på enheten.", "KBT:drop_to_zero": "  "},
            eligibility_confirmed=True,
            acting_user=coordinator,
            today=late,
        )
    assert refused.value.code == "explanation_missing"
    assert refused.value.field == "KBT:drop_to_zero"
    assert refused.value.message == "Förklara varje varning innan rapporten skickas in."
    assert [(w.code, w.key) for w in refused.value.result.warnings] == [
        ("drop_to_zero", "KBT:drop_to_zero"),
        ("late_filing", ""),
    ]
    version.refresh_from_db()
    assert version.status == "DRAFT"
    keys = [w.key for w in refused.value.result.warnings]
    explanations = {key: f"Förklaring {n}" for n, key in enumerate(keys)}
    version = report_submit(
        version=version,
        lock_version=version.lock_version,
        explanations=explanations,
        eligibility_confirmed=True,
        acting_user=coordinator,
        today=late,
    )
    assert version.status == "SUBMITTED"
    assert version.submitted_late is True
    assert list(
        WarningExplanation.objects.filter(version=version)
        .order_by("pk")
        .values_list("code", "key", "explanation")
    ) == [(w.code, w.key, explanations[w.key]) for w in refused.value.result.warnings]


def test_submit_warning_list_is_what_validation_says(coordinator):
    report_version(region="01", year=2019, user=coordinator, series={("KBT", "F", "PUBLIC"): 80})
    version = saved_draft(coordinator, Figures(series={("IPT", "F", "PUBLIC"): 1}))
    with pytest.raises(ValidationFailed) as refused:
        report_submit(
            version=version,
            lock_version=version.lock_version,
            explanations={},
            eligibility_confirmed=True,
            acting_user=coordinator,
            today=datetime.date(2021, 9, 1),
        )
    assert [(w.code, w.key, w.message) for w in refused.value.result.warnings] == [
        (
            "drop_to_zero",
            "KBT:drop_to_zero",
            "Kognitiv beteendeterapi (KBT): 0 genomförda behandlingar, men 80 under 2019.",
        ),
        ("late_filing", "", "Rapporten lämnas in efter sista dag 2021-08-15."),
    ]


def test_submit_with_stale_lock_version_is_refused(coordinator):
    version = saved_draft(coordinator)
    with pytest.raises(StaleDraft):
        report_submit(
            version=version,
            lock_version=0,
            explanations={},
            eligibility_confirmed=True,
            acting_user=coordinator,
            today=OPEN_DAY,
        )
    version.refresh_from_db()
    assert version.status == "DRAFT"


def test_submit_twice_is_an_invalid_transition(coordinator):
    version = submitted(coordinator)
    with pytest.raises(InvalidTransition) as refused:
        report_submit(
            version=version,
            lock_version=version.lock_version,
            explanations={},
            eligibility_confirmed=True,
            acting_user=coordinator,
            today=OPEN_DAY,
        )
    assert refused.value.code == "invalid_transition"
    assert refused.value.message == "Version 1 är inskickad och kan inte bli inskickad."
    with pytest.raises(InvalidTransition) as no_draft:
        report_open_draft(report=version.report, acting_user=coordinator)
    assert no_draft.value.code == "no_open_draft"
    assert no_draft.value.message == "Rapporten är inskickad och granskas av Försäkringskassan."


def test_submitted_version_is_never_modified_in_the_database(coordinator):
    version = submitted(coordinator)
    with pytest.raises(InvalidTransition) as refused:
        report_save_draft(
            version=version,
            figures=FIGURES,
            lock_version=version.lock_version,
            acting_user=coordinator,
        )
    assert refused.value.code == "not_draft"
    with pytest.raises(IntegrityError), transaction.atomic():
        SeriesCount.objects.filter(version=version).update(value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersion.objects.filter(pk=version.pk).update(comment="ändrad")


# --------------------------------------------------------------------------- review


def test_accept_a_draft_is_refused(coordinator, case_officer):
    version = saved_draft(coordinator)
    with pytest.raises(InvalidTransition) as refused:
        report_accept(version=version, acting_user=case_officer)
    assert refused.value.message == "Version 1 är utkast och kan inte bli godkänd."


def test_accept_records_who_when_and_puts_the_version_in_force(coordinator, case_officer):
    version = submitted(coordinator)
    accepted = report_accept(version=version, acting_user=case_officer, comment="Tack.")
    accepted.refresh_from_db()
    assert (accepted.status, accepted.decided_by, accepted.review_comment) == (
        "ACCEPTED",
        case_officer,
        "Tack.",
    )
    assert accepted.decided_at is not None
    assert Report.objects.get(pk=version.report_id).accepted_version_id == version.pk
    assert events(version.report)[-1] == ("ACCEPTED", 1, "handlaggare")
    with pytest.raises(InvalidTransition):
        report_accept(version=version, acting_user=case_officer)
    with pytest.raises(InvalidTransition):
        report_return(version=version, comment="Nej", acting_user=case_officer)


def test_return_keeps_the_returned_version_and_opens_a_new_draft(coordinator, case_officer):
    version = submitted(coordinator)
    before = figures_of(version)
    with pytest.raises(ReportError) as no_comment:
        report_return(version=version, comment="  ", acting_user=case_officer)
    assert (no_comment.value.code, no_comment.value.field) == ("comment_required", "comment")
    draft = report_return(
        version=version,
        comment="KBT för kvinnor verkar för högt.",
        flagged_cells=["KBT:F:PUBLIC"],
        acting_user=case_officer,
    )
    version.refresh_from_db()
    assert version.status == "RETURNED"
    assert (version.decided_by, version.review_comment, version.flagged_cells) == (
        case_officer,
        "KBT för kvinnor verkar för högt.",
        ["KBT:F:PUBLIC"],
    )
    assert figures_of(version) == before
    assert (draft.number, draft.status, draft.is_correction) == (2, "DRAFT", False)
    assert figures_of(draft) == before
    assert previous_figures(draft) == before
    assert version_changes(draft) == []
    assert events(version.report)[-2:] == [
        ("RETURNED", 1, "handlaggare"),
        ("CREATED", 2, "handlaggare"),
    ]
    # The region fixes the draft and submits again; FK accepts version 2.
    fixed = Figures(
        series={**before.series, ("KBT", "F", "PUBLIC"): 10},
        extras=before.extras,
        comment=before.comment,
    )
    draft = report_save_draft(version=draft, figures=fixed, lock_version=0, acting_user=coordinator)
    assert [(c.key, c.old, c.new) for c in version_changes(draft)] == [("KBT:F:PUBLIC", 12, 10)]
    draft = report_submit(
        version=draft,
        lock_version=1,
        explanations={},
        eligibility_confirmed=True,
        acting_user=coordinator,
        today=OPEN_DAY,
    )
    report_accept(version=draft, acting_user=case_officer)
    assert Report.objects.get(pk=version.report_id).accepted_version_id == draft.pk
    version.refresh_from_db()
    assert version.status == "RETURNED"


# --------------------------------------------------------------------------- correction


def test_correction_keeps_accepted_in_force_until_accepted(coordinator, case_officer):
    original = submitted(coordinator)
    report_accept(version=original, acting_user=case_officer)
    report = Report.objects.get(pk=original.report_id)
    correction = report_start_correction(
        report=report, reason="Ett privat vårdföretag rapporterade sent.", acting_user=coordinator
    )
    assert (correction.number, correction.status, correction.is_correction) == (2, "DRAFT", True)
    assert correction.correction_reason == "Ett privat vårdföretag rapporterade sent."
    assert figures_of(correction).cells() == figures_of(original).cells()
    changed = Figures(
        series={**figures_of(original).series, ("MMR1", "M", "PRIVATE"): 7},
        extras=figures_of(original).extras,
    )
    correction = report_save_draft(
        version=correction, figures=changed, lock_version=0, acting_user=coordinator
    )
    correction = report_submit(
        version=correction,
        lock_version=1,
        explanations={},
        eligibility_confirmed=True,
        acting_user=coordinator,
        today=OPEN_DAY,
    )
    # Submitted, not yet accepted: the original is still the one in force.
    report.refresh_from_db()
    original.refresh_from_db()
    assert report.accepted_version_id == original.pk
    assert original.status == "ACCEPTED"
    assert [(c.key, c.old, c.new) for c in version_changes(correction)] == [
        ("MMR1:M:PRIVATE", 3, 7)
    ]
    report_accept(version=correction, acting_user=case_officer)
    report.refresh_from_db()
    original.refresh_from_db()
    assert report.accepted_version_id == correction.pk
    assert original.status == "SUPERSEDED"
    assert figures_of(original).series[("MMR1", "M", "PRIVATE")] == 3
    assert [a for a, _n, _u in events(report)] == [
        "CREATED",
        "SAVED",
        "SUBMITTED",
        "ACCEPTED",
        "CORRECTION",
        "SAVED",
        "SUBMITTED",
        "ACCEPTED",
    ]


def test_correction_refusals(coordinator, other_coordinator, case_officer):
    version = saved_draft(coordinator)
    report = version.report
    with pytest.raises(InvalidTransition) as not_accepted:
        report_start_correction(report=report, reason="Fel", acting_user=coordinator)
    assert not_accepted.value.message == "Bara en godkänd rapport kan rättas."
    version = report_submit(
        version=version,
        lock_version=1,
        explanations={},
        eligibility_confirmed=True,
        acting_user=coordinator,
        today=OPEN_DAY,
    )
    report_accept(version=version, acting_user=case_officer)
    with pytest.raises(ReportError) as no_reason:
        report_start_correction(report=report, reason=" ", acting_user=coordinator)
    assert (no_reason.value.code, no_reason.value.message) == (
        "reason_required",
        "Ange skälet till rättelsen.",
    )
    with pytest.raises(NotAllowed):
        report_start_correction(report=report, reason="Fel", acting_user=other_coordinator)
    with pytest.raises(NotAllowed):
        report_start_correction(report=report, reason="Fel", acting_user=case_officer)
    report_start_correction(report=report, reason="Fel", acting_user=coordinator)
    with pytest.raises(InvalidTransition) as open_already:
        report_start_correction(report=report, reason="Igen", acting_user=coordinator)
    assert open_already.value.code == "version_open"
    assert report_open_draft(report=report, acting_user=coordinator).is_correction is True
    assert ExtraCount.objects.filter(version__report=report).count() == 6 * 2


def test_open_draft_on_accepted_report_points_to_correction(coordinator, case_officer):
    version = submitted(coordinator)
    report_accept(version=version, acting_user=case_officer)
    with pytest.raises(InvalidTransition) as refused:
        report_open_draft(report=version.report, acting_user=coordinator)
    assert (refused.value.code, refused.value.message) == (
        "no_open_draft",
        "Rapporten är godkänd. Påbörja en rättelse för att ändra den.",
    )


def test_figures_cell_keys_round_trip():
    from reporting.figures import CellChange, diff_figures, parse_key

    assert Figures.from_cells(FIGURES.cells(), comment=FIGURES.comment) == FIGURES
    assert FIGURES.cells() == {
        "KBT:F:PUBLIC": 12,
        "MMR1:M:PRIVATE": 3,
        "EMPLOYER_CONTACT:F": 2,
    }
    assert parse_key("AF_CONTACT:M") == ("AF_CONTACT", "M")
    with pytest.raises(ValueError):
        parse_key("KBT:X:PUBLIC")
    assert diff_figures(None, Figures(extras={("VIDEO", "F"): 1})) == [
        CellChange("VIDEO:F", None, 1)
    ]
    assert CellChange("KBT:F:PUBLIC", 12, 5).delta == -7


@pytest.mark.django_db(transaction=True)
def test_save_draft_two_people_at_the_same_moment(coordinator):
    """Two real transactions save the same draft at once from lock_version 0:
    exactly one is saved, the other is refused and changes nothing."""
    import threading

    from django.db import connection

    from tests.factories import UserFactory

    colleague = UserFactory(username="kollega01", role="REGION_COORDINATOR", region_id="01")
    version = draft_for(coordinator)
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def save(user, value):
        try:
            barrier.wait()
            report_save_draft(
                version=version,
                figures=Figures(series={("KBT", "F", "PUBLIC"): value}),
                lock_version=0,
                acting_user=user,
            )
            outcome[user.username] = "saved"
        except StaleDraft:
            outcome[user.username] = "stale"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(coordinator, 11)),
        threading.Thread(target=save, args=(colleague, 22)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcome.values()) == ["saved", "stale"]
    winner = next(name for name, result in outcome.items() if result == "saved")
    version.refresh_from_db()
    assert version.lock_version == 1
    assert version.updated_by.username == winner
    assert figures_of(version).series == {
        ("KBT", "F", "PUBLIC"): 11 if winner == "samordnare01" else 22
    }
