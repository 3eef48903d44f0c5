from __future__ import annotations

import pytest

from followup.models import PublishedFigure


@pytest.fixture
def no_history(ref: None) -> None:
    """Without SKR's published history (the session loads it with the reference
    data): for tests about Rehab's own reports only. Rolled back after the test."""
    PublishedFigure.objects.all().delete()
