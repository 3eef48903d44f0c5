"""The one permission function, as the spec's role table says."""

import pytest

from rehab.models import Region
from rehab.permissions import Action, can, scope

pytestmark = pytest.mark.django_db


def test_coordinator_may_edit_own_region_reports(coordinator):
    assert can(coordinator, Action.EDIT_REPORTS, "01")
    assert can(coordinator, Action.VIEW_REPORTS, Region.objects.get(code="01"))


def test_coordinator_may_not_see_other_region(coordinator):
    assert not can(coordinator, Action.VIEW_REPORTS, "03")
    assert not can(coordinator, Action.EDIT_REPORTS, "03")
    assert not can(coordinator, Action.VIEW_PAYOUTS, "03")
    assert list(scope(coordinator).values_list("code", flat=True)) == ["01"]


def test_viewer_reads_but_never_edits(viewer):
    assert can(viewer, Action.VIEW_REPORTS, "01")
    assert can(viewer, Action.VIEW_PAYOUTS, "01")
    assert not can(viewer, Action.EDIT_REPORTS, "01")
    assert not can(viewer, Action.VIEW_REPORTS, "03")


def test_case_officer_reviews_all_regions_but_never_types_figures(case_officer):
    assert can(case_officer, Action.VIEW_REPORTS, "03")
    assert can(case_officer, Action.REVIEW_REPORTS, "25")
    assert can(case_officer, Action.START_RUN)
    assert not can(case_officer, Action.EDIT_REPORTS, "01")
    assert not can(case_officer, Action.APPROVE_RUN)
    assert scope(case_officer).count() == 21


def test_approver_approves_and_exports_but_does_not_start_or_review(approver):
    assert can(approver, Action.APPROVE_RUN)
    assert can(approver, Action.EXPORT_RUN)
    assert can(approver, Action.VIEW_PAYOUTS, "07")
    assert not can(approver, Action.START_RUN)
    assert not can(approver, Action.REVIEW_REPORTS, "07")
    assert not can(approver, Action.EDIT_REPORTS, "07")


def test_administrator_administers_but_does_not_review_or_pay(admin_user):
    assert can(admin_user, Action.ADMINISTER)
    assert can(admin_user, Action.IMPORT_ACCEPTED)
    assert not can(admin_user, Action.REVIEW_REPORTS, "01")
    assert not can(admin_user, Action.APPROVE_RUN)
    assert not can(admin_user, Action.EDIT_REPORTS, "01")


def test_region_users_may_not_start_or_approve_runs(coordinator, viewer):
    for user in (coordinator, viewer):
        assert not can(user, Action.START_RUN)
        assert not can(user, Action.APPROVE_RUN)
        assert not can(user, Action.ADMINISTER)


def test_anonymous_and_inactive_users_may_do_nothing(coordinator):
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), Action.VIEW_STATISTICS)
    assert scope(AnonymousUser()).count() == 0
    coordinator.is_active = False
    assert not can(coordinator, Action.VIEW_REPORTS, "01")


def test_everyone_with_a_role_sees_statistics(coordinator, viewer, case_officer, approver):
    for user in (coordinator, viewer, case_officer, approver):
        assert can(user, Action.VIEW_STATISTICS)
