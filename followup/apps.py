from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Uppföljning")

    def load_reference_data(self) -> list[tuple[str, str]]:
        """Called by `load_reference_data` (rehab), which asks every app for its
        reference data, so that rehab never imports follow-up: SKR's published
        history. Returns (label, counts) lines for the command's summary."""
        from .services import history_load

        return [("Publicerad historik (SKR)", str(history_load()))]
