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
