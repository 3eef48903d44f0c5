"""A task runs in a real Celery worker over the real broker and writes to PostgreSQL."""

import pytest

from rehab.models import WorkerHeartbeat
from rehab.tasks import worker_heartbeat
from tests.conftest import wait_for


@pytest.mark.django_db(transaction=True)
def test_heartbeat_task_runs_in_real_worker(celery_worker):
    worker_heartbeat.delay("testvärd")
    beat = wait_for(lambda: WorkerHeartbeat.objects.filter(hostname="testvärd").first())
    assert beat.beats == 1

    worker_heartbeat.delay("testvärd")
    wait_for(lambda: WorkerHeartbeat.objects.get(hostname="testvärd").beats == 2)


@pytest.mark.django_db(transaction=True)
def test_expired_sessions_are_cleared_by_the_worker(celery_worker, coordinator):
    """The nightly task deletes expired sessions in the worker and keeps live ones
    (a signed-in browser goes on working)."""
    import datetime

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from rehab.models import Session
    from rehab.tasks import clear_expired_sessions

    live = Client()
    live.force_login(coordinator)
    old = Client()
    old.force_login(coordinator)
    old_key = old.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(pk=old_key).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert Session.objects.get(pk=live.session.session_key).user_id == coordinator.pk
    clear_expired_sessions.delay()
    wait_for(lambda: not Session.objects.filter(pk=old_key).exists())
    assert live.get("/rapporter/").status_code == 200
