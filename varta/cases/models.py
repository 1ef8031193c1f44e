"""Survivor case management: persons, cases and their workflow, screening, consents, plans, services, follow-ups,
notes and attachments (HTCDS v2 aligned; varta/cases/htcds_map.py maps Varta's fields to HTCDS field names).

Personal data (names, date of birth, contact details, address, identity document, notes, attachments) is encrypted
at rest with the keyring (``EncryptedTextField`` / ``EncryptedBinaryField``); only non-identifying attributes are
kept in clear, for statistics. Names are found again through keyed blind-index tokens (``PersonToken``,
varta/cases/blind_index.py), never by decrypting the table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from varta.core.crypto import EncryptedBinaryField, EncryptedTextField
from varta.core.htcds import DecisionMakingOrg, Gender, TraffickingStatus
from varta.hotline.models import AgeGroup, Displacement
from varta.orgs.models import TenantModel

# --- Picklists ---------------------------------------------------------------------------------------------------


class IdDocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    INTERNATIONAL_PASSPORT = "international_passport", _("Passport for travel abroad")
    ID_CARD = "id_card", _("ID card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    IDP_CERTIFICATE = "idp_certificate", _("IDP certificate")
    OTHER = "other", _("Other document")


class WgLevel(models.TextChoices):
    """Washington Group short set: one answer per domain."""

    NO_DIFFICULTY = "1", _("No difficulty")
    SOME = "2", _("Some difficulty")
    A_LOT = "3", _("A lot of difficulty")
    CANNOT = "4", _("Cannot do at all")
    UNKNOWN = "", _("Not asked / refused")


WG_DOMAINS = (
    ("wg_seeing", _("Seeing, even if wearing glasses")),
    ("wg_hearing", _("Hearing, even if using a hearing aid")),
    ("wg_walking", _("Walking or climbing steps")),
    ("wg_cognition", _("Remembering or concentrating")),
    ("wg_selfcare", _("Self-care, such as washing or dressing")),
    ("wg_communication", _("Communicating in the usual language")),
)


class PersonCategory(models.TextChoices):
    POSSIBLE_VICTIM = "possible_victim", _("Possible victim of trafficking")
    ACTUAL_VICTIM = "actual_victim", _("Actual victim of trafficking")
    NOT_A_VICTIM = "not_a_victim", _("Not a victim of trafficking")
    AT_RISK = "at_risk", _("Person at risk")
    VULNERABLE_MIGRANT = "vulnerable_migrant", _("Vulnerable migrant")
    IDP = "idp", _("Internally displaced person")
    TCN = "tcn", _("Third-country national")


class CaseSource(models.TextChoices):
    HOTLINE = "hotline", _("Hotline escalation")
    REFERRAL = "referral", _("Referral")
    OUTREACH = "outreach", _("Outreach")
    SELF_REFERRAL = "self_referral", _("Self-referral")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")


class CaseStage(models.TextChoices):
    """The workflow, in order; ``varta.cases.workflow`` says which moves are allowed."""

    REGISTERED = "registered", _("Registered")
    SCREENING = "screening", _("Screening")
    PLANNING = "planning", _("Assistance planning")
    ASSISTANCE = "assistance", _("Assistance")
    MONITORING = "monitoring", _("Reintegration monitoring")
    CLOSED = "closed", _("Closed")


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Reintegration goals met")
    REFERRED = "referred", _("Referred to another organisation")
    DECLINED = "declined", _("The person declined further assistance")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    RELOCATED = "relocated", _("Moved out of the area of operation")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other reason")


class Relationship(models.TextChoices):
    """Relationship of the person to the trafficker (not an HTCDS picklist; CTDC's categories)."""

    INTIMATE_PARTNER = "intimate_partner", _("Intimate partner")
    FAMILY = "family", _("Family member")
    FRIEND = "friend", _("Friend or acquaintance")
    EMPLOYER = "employer", _("Employer")
    RECRUITER = "recruiter", _("Recruiter or agency")
    STRANGER = "stranger", _("Stranger")
    OTHER = "other", _("Other relationship")


class NrmDecision(models.TextChoices):
    """National referral mechanism: victim status decided by the Ministry of Social Policy."""

    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Victim status granted")
    REFUSED = "refused", _("Victim status refused")


class ConsentPurpose(models.TextChoices):
    ASSISTANCE = "assistance", _("Assistance")
    REFERRAL = "referral", _("Referral to a named organisation")
    STATISTICS = "statistics", _("Sharing for coordination statistics")
    FOLLOW_UP = "follow_up", _("Follow-up contact")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written, signed")
    VERBAL = "verbal", _("Verbal, witnessed")
    ELECTRONIC = "electronic", _("Electronic")
    GUARDIAN = "guardian", _("By a parent or guardian")


class NeedDomain(models.TextChoices):
    SAFETY = "safety", _("Safety")
    HEALTH = "health", _("Health")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
    SHELTER = "shelter", _("Shelter")
    LEGAL = "legal", _("Legal")
    DOCUMENTATION = "documentation", _("Documentation")
    ECONOMIC = "economic", _("Economic")
    EDUCATION = "education", _("Education")
    FAMILY = "family", _("Family")
    RETURN = "return", _("Return and travel")


class ServiceType(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    REHABILITATION_STAY = "rehabilitation_stay", _("Medical rehabilitation centre stay")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
    SHELTER = "shelter", _("Shelter")
    LEGAL_AID = "legal_aid", _("Legal aid")
    DOCUMENTATION = "documentation", _("Documentation")
    FAMILY_TRACING = "family_tracing", _("Family tracing and reunification")
    TRAVEL_RETURN = "travel_return", _("Travel or return")
    CASH = "cash", _("Cash")
    IN_KIND = "in_kind", _("In-kind")
    VOCATIONAL = "vocational", _("Vocational training")
    EDUCATION = "education", _("Education")
    MICRO_GRANT = "micro_grant", _("Micro-enterprise grant")
    JOB_PLACEMENT = "job_placement", _("Job placement")
    OTHER = "other", _("Other service")


class PlanItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ServiceOutcome(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    PARTIAL = "partial", _("Partly completed")
    DISCONTINUED = "discontinued", _("Discontinued")


# --- Person ------------------------------------------------------------------------------------------------------


class Person(TenantModel):
    """Someone assisted. Identifying fields are ciphertext in the database; the rest is kept for statistics."""

    given_name = EncryptedTextField(_("given name"), blank=True, default="")
    family_name = EncryptedTextField(_("family name"), blank=True, default="")
    patronymic = EncryptedTextField(_("patronymic"), blank=True, default="")
    birth_date = EncryptedTextField(_("date of birth"), blank=True, default="")  # ISO yyyy-mm-dd
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    email = EncryptedTextField(_("e-mail"), blank=True, default="")
    address = EncryptedTextField(_("address"), blank=True, default="")
    id_document_type = EncryptedTextField(_("identity document"), blank=True, default="")  # an IdDocumentType
    id_document_number = EncryptedTextField(_("document number"), blank=True, default="")

    gender = models.CharField(_("gender"), max_length=24, choices=Gender.choices, default=Gender.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN)
    citizenship = models.ForeignKey("geo.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("citizenship"))
    displacement = models.CharField(_("displacement status"), max_length=24, choices=Displacement.choices,
                                    default=Displacement.UNKNOWN)
    wg_seeing = models.CharField(max_length=1, choices=WgLevel.choices, blank=True, default="")
    wg_hearing = models.CharField(max_length=1, choices=WgLevel.choices, blank=True, default="")
    wg_walking = models.CharField(max_length=1, choices=WgLevel.choices, blank=True, default="")
    wg_cognition = models.CharField(max_length=1, choices=WgLevel.choices, blank=True, default="")
    wg_selfcare = models.CharField(max_length=1, choices=WgLevel.choices, blank=True, default="")
    wg_communication = models.CharField(max_length=1, choices=WgLevel.choices, blank=True, default="")
    location = models.ForeignKey("geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("current location"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    PERSONAL_FIELDS = ("given_name", "family_name", "patronymic", "birth_date", "phone", "email", "address",
                       "id_document_type", "id_document_number")

    def __str__(self) -> str:
        return f"person {self.pk}"

    @property
    def has_disability(self) -> bool:
        """The Washington Group cut-off: 'a lot of difficulty' or 'cannot do at all' in at least one domain."""
        return any(getattr(self, name) in (WgLevel.A_LOT, WgLevel.CANNOT) for name, _label in WG_DOMAINS)


class PersonToken(models.Model):
    """A keyed blind-index token of a person's name or date of birth (varta/cases/blind_index.py).

    Not audited row by row: tokens are derived data, rewritten with the person they describe (whose write is).
    """

    organisation_id = models.BigIntegerField()
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tokens")
    key_id = models.CharField(max_length=8)
    kind = models.CharField(max_length=2)  # n: name key, d: name key with one deletion, b: birth date, y: year
    token = models.CharField(max_length=24)

    class Meta:
        # Covering the search's GROUP BY person (varta/cases/search.py): the table itself is never read.
        indexes = [models.Index(fields=["organisation_id", "token", "person"], name="cases_token_lookup")]

    def __str__(self) -> str:
        return f"token {self.kind} of person {self.person_id}"


# --- Case --------------------------------------------------------------------------------------------------------


class Case(TenantModel):
    reference = models.CharField(_("reference"), max_length=24)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    case_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("case worker"))
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("supervisor"))
    category = models.CharField(_("person category"), max_length=24, choices=PersonCategory.choices)
    source = models.CharField(_("source"), max_length=24, choices=CaseSource.choices)
    escalation = models.OneToOneField("hotline.Escalation", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="case")
    referring_organisation = models.CharField(_("referring organisation"), max_length=200, blank=True, default="")
    stage = models.CharField(_("stage"), max_length=16, choices=CaseStage.choices, default=CaseStage.REGISTERED)
    stage_changed_at = models.DateTimeField()
    opened_on = models.DateField(_("opened on"))
    closure_reason = models.CharField(_("closure reason"), max_length=24, choices=ClosureReason.choices, blank=True,
                                      default="")
    closure_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="+")
    closure_requested_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"], name="case_reference_per_org")]
        indexes = [
            models.Index(fields=["organisation", "case_worker", "stage"], name="cases_by_worker"),
            models.Index(fields=["organisation", "supervisor", "stage"], name="cases_by_supervisor"),
            models.Index(fields=["organisation", "stage", "opened_on"], name="cases_by_stage"),
            # The lists' order (newest first): an org admin's list of every case reads 50 rows, not a sort of all
            # (bench/cases.py, docs/benchmarks.md).
            models.Index(fields=["organisation", "-opened_on", "-id"], name="cases_by_opened"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.stage == CaseStage.CLOSED

    @property
    def closure_pending(self) -> bool:
        return self.closure_requested_at is not None and not self.is_closed


class CaseTransition(TenantModel):
    """One move of a case through the workflow: who, when, from where to where."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(max_length=16, choices=CaseStage.choices, blank=True, default="")
    to_stage = models.CharField(max_length=16, choices=CaseStage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]


class Screening(TenantModel):
    """HTCDS victim context and the national referral mechanism track. One per case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="screening")
    types_of_exploitation = models.JSONField(_("types of exploitation"), default=list, blank=True)
    forced_labour_industries = models.JSONField(_("forced-labour industries"), default=list, blank=True)
    sex_exploitation_types = models.JSONField(_("types of sexual exploitation"), default=list, blank=True)
    methods_of_control = models.JSONField(_("methods of control"), default=list, blank=True)
    recruitment_methods = models.JSONField(_("methods of recruitment"), default=list, blank=True)
    relationship = models.CharField(_("relationship to the trafficker"), max_length=24, choices=Relationship.choices,
                                    blank=True, default="")
    recruitment_country = models.ForeignKey("geo.Country", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+", verbose_name=_("country of recruitment"))
    recruitment_place = models.ForeignKey("geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+", verbose_name=_("place of recruitment"))
    exploitation_countries = models.ManyToManyField("geo.Country", blank=True, related_name="+",
                                                    verbose_name=_("countries of exploitation"))
    exploitation_place = models.ForeignKey("geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+", verbose_name=_("place of exploitation"))
    exploitation_start = models.DateField(_("exploitation began"), null=True, blank=True)
    exploitation_end = models.DateField(_("exploitation ended"), null=True, blank=True)
    trafficking_status = models.CharField(_("trafficking status"), max_length=32, choices=TraffickingStatus.choices,
                                          blank=True, default="")
    decided_by = models.CharField(_("decided by"), max_length=40, choices=DecisionMakingOrg.choices, blank=True,
                                  default="")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    nrm_applied_on = models.DateField(_("applied at the local administration"), null=True, blank=True)
    nrm_interview_on = models.DateField(_("interview"), null=True, blank=True)
    nrm_decision = models.CharField(_("Ministry of Social Policy decision"), max_length=16,
                                    choices=NrmDecision.choices, blank=True, default="")
    nrm_decision_on = models.DateField(_("decision date"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def exploitation_days(self) -> int | None:
        if self.exploitation_start is None or self.exploitation_end is None:
            return None
        return (self.exploitation_end - self.exploitation_start).days + 1


class Consent(TenantModel):
    """A consent for one purpose, given on a date in some way; withdrawn rather than deleted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    recipient = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("organisation referred to"))
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how it was given"), max_length=16, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        ordering = ["purpose", "-given_on"]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class Need(TenantModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs")
    domain = models.CharField(_("domain"), max_length=16, choices=NeedDomain.choices)
    description = EncryptedTextField(_("description"), blank=True, default="")
    met = models.BooleanField(_("met"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain", "pk"]


class PlanItem(TenantModel):
    """A planned service, with a target date: overdue when the date passes and it is still planned."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_items")
    need = models.ForeignKey(Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_items")
    service_type = models.CharField(_("service"), max_length=24, choices=ServiceType.choices)
    provider = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("provider"))
    target_date = models.DateField(_("target date"))
    status = models.CharField(_("status"), max_length=16, choices=PlanItemStatus.choices,
                              default=PlanItemStatus.PLANNED)
    note = EncryptedTextField(_("note"), blank=True, default="")

    class Meta:
        ordering = ["target_date", "pk"]
        indexes = [models.Index(fields=["organisation", "status", "target_date"], name="plan_items_due")]


class Service(TenantModel):
    """A service delivered. A rehabilitation-centre stay has admission and discharge dates (length of stay)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    plan_item = models.ForeignKey(PlanItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    service_type = models.CharField(_("service"), max_length=24, choices=ServiceType.choices)
    provider = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("provider"))
    provider_other = models.CharField(_("other provider"), max_length=200, blank=True, default="")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)  # discharge date for a rehabilitation stay
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True, default="")
    project_code = models.CharField(_("donor or project code"), max_length=60, blank=True, default="")
    outcome = models.CharField(_("outcome"), max_length=16, choices=ServiceOutcome.choices,
                               default=ServiceOutcome.ONGOING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-pk"]

    @property
    def length_of_stay(self) -> int | None:
        if self.service_type != ServiceType.REHABILITATION_STAY or self.ended_on is None:
            return None
        return (self.ended_on - self.started_on).days


class FollowUp(TenantModel):
    """A reintegration follow-up, planned for a date; once done it carries the questionnaire and its scores."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)  # question code → 1..5 (varta/cases/reintegration.py)
    economic_score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    social_score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    psychosocial_score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    overall_score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["organisation", "done_on", "due_on"], name="follow_ups_due")]


class CaseNote(TenantModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class Attachment(TenantModel):
    """A file kept with a case; its name and content are encrypted in the database (no file on disk)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = EncryptedBinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
