"""Reporting pages: the region's overview (`overview`), the report form
(`region`), versions, history, comparison and corrections (`versions`), file
upload (`upload`), FK's inbox and review (`fk`); `grid` builds the figures table
every page draws, `common` finds reports within the user's scope."""

from .fk import inbox, review
from .overview import overview, region_overview
from .region import report
from .units import (
    my_unit,
    unit_figures,
    unit_page,
    unit_ready,
    unit_table,
    unit_table_xlsx,
    unit_upload,
)
from .upload import template_download, upload, upload_preview
from .versions import compare, correction, history, version

__all__ = [
    "compare",
    "correction",
    "history",
    "inbox",
    "my_unit",
    "overview",
    "region_overview",
    "report",
    "review",
    "template_download",
    "unit_figures",
    "unit_page",
    "unit_ready",
    "unit_table",
    "unit_table_xlsx",
    "unit_upload",
    "upload",
    "upload_preview",
    "version",
]
