"""Hotline records: contacts (one call, chat or message), their consultations, call-backs and escalations.

A contact is anonymous by default: the caller is described by non-identifying attributes only. A name or phone
number is kept only when the caller agrees to a call-back, and then encrypted at rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from varta.audit.models import AuditedModel
from varta.core.crypto import EncryptedTextField
from varta.core.htcds import Gender, MethodOfControl, TypeOfExploitation
from varta.orgs.models import TenantModel


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    TELEGRAM = "telegram", _("Telegram")
    VIBER = "viber", _("Viber")
    WHATSAPP = "whatsapp", _("WhatsApp")
    MESSENGER = "messenger", _("Messenger")
    EMAIL = "email", _("E-mail")
    WEB_CHAT = "web_chat", _("Web chat")
    WALK_IN = "walk_in", _("Walk-in")


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")
    CALLBACK = "callback", _("Call-back")


class CallerType(models.TextChoices):
    PERSON_CONCERNED = "person_concerned", _("The person concerned")
    RELATIVE = "relative", _("Relative")
    FRIEND = "friend", _("Friend or acquaintance")
    PROFESSIONAL = "professional", _("Professional")
    ANONYMOUS = "anonymous", _("Anonymous")


class AgeGroup(models.TextChoices):
    UNDER_18 = "0-17", _("Under 18")
    AGE_18_24 = "18-24", _("18–24")
    AGE_25_34 = "25-34", _("25–34")
    AGE_35_49 = "35-49", _("35–49")
    AGE_50_64 = "50-64", _("50–64")
    AGE_65_PLUS = "65+", _("65 or older")
    UNKNOWN = "unknown", _("Unknown")


class Displacement(models.TextChoices):
    IDP = "idp", _("Internally displaced person")
    REFUGEE_ABROAD = "refugee_abroad", _("Refugee abroad")
    RETURNEE = "returnee", _("Returnee")
    TCN = "tcn", _("Third-country national")
    HOST_COMMUNITY = "host_community", _("Host community")
    UNKNOWN = "unknown", _("Unknown")


class Outcome(models.TextChoices):
    INFORMATION = "information", _("Information given")
    REFERRED = "referred", _("Referred")
    CASE_OPENED = "case_opened", _("Case opened")
    FOLLOW_UP = "follow_up", _("Follow-up needed")


class Topic(AuditedModel):
    """A term of the two-level consultation taxonomy.

    Standard terms (``organisation`` empty) are shared by every organisation and kept by system admins; an
    organisation adds its own second-level terms under a standard category. Terms are retired, never deleted, so
    old consultations keep their topic. Figures across organisations roll up to the first level.
    """

    organisation = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    code = models.SlugField(max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=150)
    sort_order = models.PositiveSmallIntegerField(default=100)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sort_order", "name_en"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(organisation__isnull=True),
                                    name="standard_topic_code_unique"),
            models.UniqueConstraint(fields=["organisation", "code"], name="org_topic_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_uk if (get_language() or "en").startswith("uk") and self.name_uk else self.name_en

    @property
    def is_category(self) -> bool:
        return self.parent_id is None


# Indexes of the two largest tables (a million contacts and four million consultations a few years in): each one
# costs every insert, so a column gets its own only if a query needs it. Every read of contacts and consultations
# is scoped to an organisation first (selectors), so ``organisation`` (the leading column of the composite
# indexes), ``operator`` (covered by organisation + operator + started_at) and ``country`` (only ever grouped) have
# none; ``location`` and ``oblast`` keep theirs for place-filtered statistics across organisations, ``follows``
# for a contact's call-backs, and a consultation's ``contact``, ``topic`` and ``category`` for their look-ups.
# Rows they refer to are never deleted (users and organisations are deactivated), so no PROTECT check scans.


class Contact(TenantModel):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False)
    # A stable id from an imported log (NULL, not "", for typed contacts: unique only where present).
    external_id = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices,
                                 default=Direction.INCOMING)
    started_at = models.DateTimeField(_("start"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", db_index=False)
    language = models.CharField(_("language"), max_length=8, default="uk")
    caller_type = models.CharField(_("caller"), max_length=24, choices=CallerType.choices,
                                   default=CallerType.ANONYMOUS)
    sex = models.CharField(_("sex"), max_length=24, choices=Gender.choices, default=Gender.UNKNOWN)
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN)
    displacement = models.CharField(_("displacement status"), max_length=24, choices=Displacement.choices,
                                    default=Displacement.UNKNOWN)
    location = models.ForeignKey("geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("place"))
    oblast = models.ForeignKey("geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               editable=False)  # the level-1 unit of ``location``, kept for fast statistics
    country = models.ForeignKey("geo.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("country (when abroad)"), db_index=False)
    methods_of_control = models.JSONField(default=list, blank=True)  # HTCDS MethodOfControl values
    exploitation_types = models.JSONField(default=list, blank=True)  # HTCDS TypeOfExploitation values
    risk_flag = models.BooleanField(_("suspected trafficking or exploitation"), default=False)
    callback_consent = models.BooleanField(_("the caller agrees to a call-back"), default=False)
    caller_name = EncryptedTextField(_("caller's name"), blank=True, default="")
    caller_phone = EncryptedTextField(_("caller's phone"), blank=True, default="")
    summary = EncryptedTextField(_("notes"), blank=True, default="")
    follows = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups",
                                verbose_name=_("follows contact"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["organisation", "started_at"]),
            models.Index(fields=["organisation", "operator", "started_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "external_id"], condition=Q(external_id__isnull=False),
                                    name="contact_external_id_unique"),
        ]

    def __str__(self) -> str:
        return f"contact {self.pk}"


class Consultation(TenantModel):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consultations")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+", verbose_name=_("topic"))
    category = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+", editable=False)  # level 1
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.INFORMATION)
    referrals = models.TextField(_("referred to"), blank=True, default="")
    started_at = models.DateTimeField(editable=False)  # the contact's, kept here for statistics without a join
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["contact", "position"]
        indexes = [models.Index(fields=["organisation", "started_at"])]

    def __str__(self) -> str:
        return f"consultation {self.pk}"


class CallbackStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Callback(TenantModel):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="callbacks")
    due_at = models.DateTimeField(_("call back at"))
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("operator"))
    status = models.CharField(max_length=16, choices=CallbackStatus.choices, default=CallbackStatus.SCHEDULED)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    result = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["organisation", "assigned_to", "status", "due_at"])]

    def __str__(self) -> str:
        return f"call-back {self.pk}"


class EscalationStatus(models.TextChoices):
    PENDING = "pending", _("Pending: waiting for case management")
    CONVERTED = "converted", _("Case opened")
    DECLINED = "declined", _("Declined")


class Escalation(TenantModel):
    """A suspected trafficking situation handed from the hotline to case management.

    It waits as pending until a case worker registers a case from it (varta/cases/actions/cases.py ``register`` or
    ``open_case`` with ``escalation=``), which marks it converted. The escalation itself copies no personal data;
    the new case takes only what ``escalation_person`` allows (docs/cases.md).
    """

    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="escalation")
    escalated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("why escalate"), max_length=500)
    status = models.CharField(max_length=16, choices=EscalationStatus.choices, default=EscalationStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"escalation {self.pk}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting for the column mapping")
    VALIDATING = "validating", _("Checking rows")
    IMPORTING = "importing", _("Importing")
    INTERRUPTED = "interrupted", _("Interrupted: resume it")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Nothing imported: some rows were rejected")
    FAILED = "failed", _("The file could not be read")
    EXPIRED = "expired", _("Discarded: never run")


class ImportJob(TenantModel):
    """One upload of a historical call log (CSV or XLSX) and the run that imports it (varta.hotline.importer).

    The uploaded file waits under ``VAR_DIR/imports/`` until the run ends and is then deleted; what stays is this
    row (counts, column mapping) and the list of rejected rows (row numbers and reasons, no cell values).
    """

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    file_name = models.CharField(_("file"), max_length=255)  # as uploaded; shown, never used as a path
    stored_name = models.CharField(max_length=64, unique=True)  # the file under VAR_DIR/imports/
    file_size = models.PositiveBigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64)
    file_kind = models.CharField(max_length=8)  # "csv" or "xlsx", from the content, not the name
    encoding = models.CharField(max_length=16, blank=True)  # CSV only: utf-8, utf-8-sig or cp1251
    delimiter = models.CharField(max_length=1, blank=True)  # CSV only
    header = models.JSONField(default=list)  # the file's column names, in order
    mapping = models.JSONField(default=dict)  # Varta field → column index, plus the run options
    strict = models.BooleanField(_("all or nothing"), default=False)
    language = models.CharField(max_length=8, default="en")  # of the person who ran it: messages of the report
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    error = models.CharField(max_length=500, blank=True)  # why the file could not be read (translated)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)  # percent; None while unknown
    rows_read = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_present = models.PositiveIntegerField(default=0)  # already in Varta (same external id)
    rows_committed = models.PositiveIntegerField(default=0)  # checkpoint: last row number of the last batch
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the running import's latest sign of life
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self) -> str:
        return f"import {self.pk}"


# --- Daily roll-ups (varta.hotline.rollups) -------------------------------------------------------------------
#
# Derived data, exact and written in the same transaction as the contacts and consultations they count, so the
# statistics of a year read a few hundred thousand rows instead of millions. Not audited (like the geo
# reference data): they hold counts only, and ``hotline_rollups --rebuild`` recomputes them from the rows.


def rollup_column(prefix: str, value: str) -> str:
    """The count column of one value: ("age", "0-17") → "age_0_17", ("sex", "Feminine") → "sex_feminine"."""
    return prefix + "_" + "".join(ch if ch.isalnum() else "_" for ch in value.lower()).strip("_")


# (contact field, choices) for the one-value-per-contact breakdowns and the multi-response HTCDS indicators.
PROFILE_DIMENSIONS: tuple[tuple[str, str, type[models.TextChoices]], ...] = (
    ("caller_type", "caller", CallerType), ("sex", "sex", Gender), ("age_group", "age", AgeGroup),
    ("displacement", "displacement", Displacement))
INDICATOR_DIMENSIONS: tuple[tuple[str, str, type[models.TextChoices]], ...] = (
    ("methods_of_control", "moc", MethodOfControl), ("exploitation_types", "toe", TypeOfExploitation))
# {contact field: {value: column}}
CONTACT_DAY_COLUMNS: dict[str, dict[str, str]] = {
    name: {str(value): rollup_column(prefix, str(value)) for value in choices.values}
    for name, prefix, choices in PROFILE_DIMENSIONS + INDICATOR_DIMENSIONS}
OUTCOME_COLUMNS: dict[str, str] = {str(value): rollup_column("outcome", str(value)) for value in Outcome.values}


class ContactDay(models.Model):
    """Contacts of one organisation on one local day (``TIME_ZONE``) by oblast, abroad and channel.

    ``contacts`` counts them all, ``risk`` the risk-flagged ones; one column per value of caller type, sex, age
    group and displacement counts the contacts with that value (each set adds up to ``contacts``), and one column
    per HTCDS method of control and type of exploitation counts the risk-flagged contacts that name it.
    """

    # No index of its own: the leading column of the unique constraint.
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    oblast = models.CharField(max_length=20, blank=True)  # the contact's oblast P-code, "" when none
    abroad = models.BooleanField(default=False)  # no oblast, a country abroad
    channel = models.CharField(max_length=16)
    contacts = models.IntegerField(default=0)
    risk = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "day", "oblast", "abroad", "channel"],
                                               name="contact_day_unique")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"contacts of {self.day}"


for _columns in CONTACT_DAY_COLUMNS.values():
    for _column in _columns.values():
        ContactDay.add_to_class(_column, models.IntegerField(default=0))


class ConsultationDay(models.Model):
    """Consultations of one organisation on one local day by topic, with one column per outcome."""

    # No index of its own: the leading column of the unique constraint.
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    consultations = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "day", "topic"],
                                               name="consultation_day_unique")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"consultations of {self.day}"


for _column in OUTCOME_COLUMNS.values():
    ConsultationDay.add_to_class(_column, models.IntegerField(default=0))
