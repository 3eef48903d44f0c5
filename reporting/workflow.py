"""What treatment reports and written accounts share (issue 9: "the same status
function, events, e-mails and permissions — reuse, don't copy").

* The refusals (`ReportError` and its kinds) and the checks every service makes:
  `require` (permissions, rehab.permissions), `check_lock` (optimistic locking of a
  draft), `check_transition` and `move` (the one place a version's status changes,
  along reporting.enums.TRANSITIONS).
* `WorkflowEvent`: the audit trail's abstract model (who did what, when, with which
  API key), append-only in the database, and `record_event`, the one recorder.
  `ReportEvent` and `AccountEvent` are its two tables, one per workflow, so each
  history stays as it was written.
* `notify_on_commit`: the e-mail task of an event, enqueued when the transaction
  commits (reporting.notifications sends; each workflow names its templates).
* `visible_versions`: which versions a reader sees (a region's drafts are its own).
* `frozen_with_version`: the database trigger that freezes a version's content
  (figures, care units' figures, answers, attachments) once it is submitted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

import pgtrigger
from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rehab.enums import REGION_ROLES
from rehab.permissions import Action, can, role_of

from .enums import TRANSITIONS, VersionStatus

if TYPE_CHECKING:
    from rehab.models import Region, User


# --------------------------------------------------------------------------- refusals


class ReportError(Exception):
    """A refused report or account action, with a stable code and a message for the user."""

    default_code = "report_error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field


class NotAllowed(ReportError):
    default_code = "not_allowed"


class StaleDraft(ReportError):
    default_code = "stale_draft"


class InvalidTransition(ReportError):
    default_code = "invalid_transition"


# --------------------------------------------------------------------------- checks


class Versioned(Protocol):
    """What the status and lock checks read: a report version or a written
    account's version."""

    number: int
    status: str
    lock_version: int
    updated_by: User | None

    def get_status_display(self) -> str: ...

    def save(self, *args: Any, **kwargs: Any) -> None: ...


V = TypeVar("V", bound=Versioned)


def visible_versions(user: Any, versions: list[V]) -> list[V]:
    """A region's drafts are its own work in progress: FK sees submitted versions
    (of reports and written accounts alike, in the pages and the API)."""
    if role_of(user) in REGION_ROLES:
        return versions
    return [v for v in versions if v.status != VersionStatus.DRAFT]


def require(user: User, action: Action, region: Region | str | None) -> None:
    """NotAllowed unless `user` may `action` in `region` (rehab.permissions)."""
    if not can(user, action, region):
        raise NotAllowed(_("Du har inte behörighet att göra detta."))


def check_transition(version: Versioned, target: str) -> None:
    if target not in TRANSITIONS[VersionStatus(version.status)]:
        raise InvalidTransition(
            _("Version %(number)s är %(status)s och kan inte bli %(target)s.")
            % {
                "number": version.number,
                "status": version.get_status_display().lower(),
                "target": VersionStatus(target).label.lower(),
            }
        )


def move(version: Versioned, target: str, **fields: object) -> None:
    """The one place a version's status changes, for reports and written accounts
    alike: checks the transition, sets the status and the given fields, and saves
    them (only them)."""
    check_transition(version, target)
    version.status = target
    for name, value in fields.items():
        setattr(version, name, value)
    version.save(update_fields=["status", *fields])


def move_all(versions: Sequence[Any], target: str, **fields: object) -> None:
    """:func:`move` for many versions of one model in one UPDATE (the same fields
    for all)."""
    for version in versions:
        check_transition(version, target)
        version.status = target
        for name, value in fields.items():
            setattr(version, name, value)
    if versions:
        type(versions[0])._default_manager.filter(pk__in=[v.pk for v in versions]).update(
            status=target, **fields
        )


def check_lock(version: Versioned, lock_version: int) -> None:
    """StaleDraft when someone saved the draft after `lock_version` was read."""
    if version.lock_version != lock_version:
        who = ""
        if version.updated_by is not None:
            who = version.updated_by.get_full_name() or version.updated_by.username
        raise StaleDraft(
            _(
                "Utkastet har sparats av %(who)s efter att du öppnade det. Dina ändringar "
                "sparades inte. Ladda om sidan för att se de senaste siffrorna."
            )
            % {"who": who or _("någon annan")}
        )


def get_or_create_for_region(
    model: type[models.Model], *, region: str, acting_user: User, **where: Any
) -> Any:
    """The region's report (or written account) `where` says. Creating one needs the
    right to edit the region's reports; reading an existing one the right to view
    them. Effects: may create the row (no version yet)."""
    found = model._default_manager.filter(region_id=region, **where).first()
    if found is not None:
        require(acting_user, Action.VIEW_REPORTS, region)
        return found
    require(acting_user, Action.EDIT_REPORTS, region)
    with transaction.atomic():
        found, _created = model._default_manager.get_or_create(region_id=region, **where)
    return found


# --------------------------------------------------------------------------- events


class EventAction(models.TextChoices):
    """What happened to a report or a written account (one list for both)."""

    CREATED = "CREATED", gettext_lazy("Utkast skapat")
    SAVED = "SAVED", gettext_lazy("Utkast sparat")
    IMPORTED = "IMPORTED", gettext_lazy("Inläst från fil")
    ATTACHED = "ATTACHED", gettext_lazy("Bilaga tillagd")
    DETACHED = "DETACHED", gettext_lazy("Bilaga borttagen")
    SUBMITTED = "SUBMITTED", gettext_lazy("Inskickad")
    RETURNED = "RETURNED", gettext_lazy("Återsänd")
    ACCEPTED = "ACCEPTED", gettext_lazy("Godkänd")
    ASSESSED = "ASSESSED", gettext_lazy("Bedömd")
    CORRECTION = "CORRECTION", gettext_lazy("Rättelse påbörjad")


class WorkflowEvent(models.Model):
    """Who did what to a report or a written account, and when. A concrete event
    has a foreign key to what it is about (`OWNER`: "report" or "account") and to
    the version, and names the task of reporting.tasks that e-mails about it and
    its key in SentNotification."""

    Action = EventAction

    OWNER: ClassVar[str]
    NOTIFICATION_TASK: ClassVar[str]
    NOTIFICATION_FIELD: ClassVar[str]

    action = models.CharField(gettext_lazy("händelse"), max_length=12, choices=EventAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("av"),
    )
    api_token = models.ForeignKey(
        "rehab.ApiToken",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("med API-nyckel"),
        help_text=gettext_lazy("Nyckeln som användes, om händelsen kom via API:t."),
    )
    at = models.DateTimeField(gettext_lazy("tidpunkt"), auto_now_add=True)
    note = models.TextField(gettext_lazy("anteckning"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
        # Append-only: an event is never changed or removed (also no grant for the
        # app's database role; see `manage.py app_db_role`).
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


def build_event(
    model: type[WorkflowEvent], version: Any, action: str, actor: User, note: str = ""
) -> Any:
    """An unsaved event about `version` (of a report or an account) for `model`'s
    trail: who (and with which API key, if the request came through the API).
    Saved by record_event, or many at once with bulk_create."""
    owner = f"{model.OWNER}_id"
    fields: dict[str, Any] = {owner: getattr(version, owner), "version": version}
    return model(
        **fields,
        action=action,
        actor=actor,
        api_token=getattr(actor, "api_token", None),
        note=note,
    )


def record_event(
    model: type[WorkflowEvent], version: Any, action: str, actor: User, note: str = ""
) -> Any:
    """Append an event about `version` to `model`'s trail (see build_event)."""
    event = build_event(model, version, action, actor, note)
    event.save(force_insert=True)
    return event


def notify_on_commit(event: WorkflowEvent) -> None:
    """Enqueue the event's e-mail task once the transaction commits (robust: the
    status change is committed by then; a broker outage is logged and must not
    turn the user's successful action into an error page)."""
    from . import tasks

    task = getattr(tasks, event.NOTIFICATION_TASK)
    event_id = event.pk
    transaction.on_commit(lambda: task.delay(event_id), robust=True)


# --------------------------------------------------------------------------- triggers


def frozen_with_version(
    name: str,
    *,
    version_table: str,
    message: str,
    via: Sequence[str] | None = None,
) -> pgtrigger.Trigger:
    """A trigger that refuses to insert, change or remove a row of a version's
    content once the version is no longer a DRAFT. The row refers to its version by
    `version_id`, or through `via` = (table, its key in this row): the row's
    `<key>` is a row of `table`, whose `version_id` is the version."""
    # Table and column names are constants of the models' definitions, never input.
    if via is None:
        key, status = "version_id", f"SELECT status FROM {version_table} WHERE id = "  # noqa: S608
    else:
        table, key = via
        status = (
            f"SELECT v.status FROM {version_table} v "  # noqa: S608
            f"JOIN {table} t ON t.version_id = v.id WHERE t.id = "
        )
    return pgtrigger.Trigger(
        name=name,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        when=pgtrigger.Before,
        func=f"""
IF ({status}CASE WHEN TG_OP = 'DELETE' THEN OLD.{key} ELSE NEW.{key} END) <> 'DRAFT' THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
        MESSAGE = '{name}: {message.replace("'", "''")}';
END IF;
IF TG_OP = 'DELETE' THEN
    RETURN OLD;
END IF;
RETURN NEW;
""",
    )


def _sql_list(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _row(prefix: str, fields: Sequence[str]) -> str:
    return "(" + ", ".join(f"{prefix}.{f}" for f in fields) + ")"


def version_frozen_after_draft(
    name: str,
    *,
    kept: Sequence[str],
    decision: Sequence[str],
    moves: Mapping[str, Sequence[str]],
) -> pgtrigger.Trigger:
    """The trigger that keeps a submitted version (of a report or a written account)
    as it was submitted: it is never removed; after DRAFT its `kept` columns never
    change, FK's `decision` columns are written once, with the move out of
    SUBMITTED, and its status moves only along `moves` (status -> the statuses it
    may become; a status not in `moves` is final)."""
    steps = "".join(
        f"\n   OR (OLD.status = '{old}' AND NEW.status NOT IN ({_sql_list([old, *new])}))"
        for old, new in moves.items()
    )
    return pgtrigger.Trigger(
        name=name,
        operation=pgtrigger.Update | pgtrigger.Delete,
        when=pgtrigger.Before,
        func=f"""
IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'DRAFT' THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation',
            MESSAGE = '{name}: a submitted version is kept';
    END IF;
    RETURN OLD;
END IF;
IF OLD.status = 'DRAFT' THEN
    RETURN NEW;
END IF;
IF {_row("NEW", decision)} IS DISTINCT FROM {_row("OLD", decision)}
   AND NOT (OLD.status = 'SUBMITTED' AND NEW.status IN ('ACCEPTED', 'RETURNED')) THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
        MESSAGE = '{name}: a decision is never edited';
END IF;
IF OLD.status NOT IN ({_sql_list(list(moves))}){steps}
   OR {_row("NEW", kept)}
      IS DISTINCT FROM {_row("OLD", kept)} THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
        MESSAGE = '{name}: a submitted version is never edited';
END IF;
RETURN NEW;
""",
    )
