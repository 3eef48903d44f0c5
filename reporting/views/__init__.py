"""Reporting pages. Region side in `region`, file upload in `upload`, FK's inbox
and review in `fk`; `grid` builds the figures table every page draws."""

from .fk import inbox, review
from .region import compare, correction, history, overview, region_overview, report, version
from .upload import template_download, upload, upload_preview

__all__ = [
    "compare",
    "correction",
    "history",
    "inbox",
    "overview",
    "region_overview",
    "report",
    "review",
    "template_download",
    "upload",
    "upload_preview",
    "version",
]
