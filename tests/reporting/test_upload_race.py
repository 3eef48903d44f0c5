"""Confirming an upload while a colleague saves the same draft: the check that
the draft is still the one previewed happens with the rows locked, so a save
that lands between the check and the import is not overwritten."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from reporting.figures import Figures
from reporting.models import Report, ReportVersion
from reporting.selectors import figures_of
from reporting.services import report_save_draft
from tests.reporting.test_views import draft_with, messages_of, url
from tests.reporting.test_views_upload import csv_file


@pytest.mark.django_db(transaction=True)
def test_save_landing_during_the_confirm_is_not_overwritten(login, coordinator):
    draft = draft_with(coordinator, {"KBT:F:PUBLIC": 10, "IPT:M:PUBLIC": 1})
    client = login(coordinator)
    client.post(url("upload"), {"file": csv_file("01;2020;KBT;F;PUBLIC;12\n")})
    assert client.get(url("upload_preview")).status_code == 200

    locked = threading.Event()
    failures: list[BaseException] = []

    def colleague() -> None:
        """Holds the report row (as a slow save would), then saves the draft."""
        try:
            with transaction.atomic():
                Report.objects.select_for_update().get(pk=draft.report_id)
                locked.set()
                time.sleep(1.5)  # the confirm is now waiting for the lock
                report_save_draft(
                    version=draft,
                    figures=Figures.from_cells({"KBT:F:PUBLIC": 11, "IPT:M:PUBLIC": 1}),
                    lock_version=draft.lock_version,
                    acting_user=coordinator,
                )
        except BaseException as error:  # reported to the test below
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=colleague)
    thread.start()
    assert locked.wait(10)
    response = client.post(url("upload_preview"))
    thread.join(10)
    assert failures == []
    assert response.headers["Location"] == url("upload_preview")
    assert messages_of(response) == [
        "Utkastet har ändrats sedan du förhandsgranskade filen. Här är vad filen ändrar nu; "
        "bekräfta igen om det stämmer."
    ]
    assert figures_of(ReportVersion.objects.get()).cells() == {
        "KBT:F:PUBLIC": 11,
        "IPT:M:PUBLIC": 1,
    }
