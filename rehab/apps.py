from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class RehabConfig(AppConfig):
    name = "rehab"
    verbose_name = _("Grunddata")

    def ready(self) -> None:
        from rehab.accounts import signals  # noqa: F401  (connects the sign-in receiver)

        from .dataversion import drop_triggers, install_triggers

        # After every migrate (and the test suite's flush): the data-version triggers
        # on every table of the application's data, including tables added since.
        # (Dropped while migrations run: see rehab.dataversion.drop_triggers.)
        pre_migrate.connect(drop_triggers, sender=self, dispatch_uid="rehab-data-version-off")
        post_migrate.connect(install_triggers, sender=self, dispatch_uid="rehab-data-version")
