from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RehabConfig(AppConfig):
    name = "rehab"
    verbose_name = _("Grunddata")

    def ready(self) -> None:
        from rehab.accounts import signals  # noqa: F401  (connects the sign-in receiver)
