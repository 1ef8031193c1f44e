"""Helpers of the rights, retention, key rotation and dump tests: a case with something in every table.

``full_case`` builds, through the actions, a person with every personal field, screening with places, consents,
a need and a plan item with encrypted texts, a service, a scored follow-up, a note and an attachment whose
content holds a distinctive text. ``PERSONS`` are two such persons (Cyrillic and Latin spellings); their values are
the strings no database dump may show.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from varta.accounts.permissions import Role
from varta.audit.writes import Actor
from varta.cases.actions import cases as case_actions
from varta.cases.actions import followups, notes, plan, services
from varta.cases.actions.plan import NeedInput, PlanItemInput
from varta.cases.actions.screening import ScreeningInput, save_screening
from varta.cases.actions.services import ServiceInput
from varta.cases.models import Case, CaseStage, ClosureReason, ConsentPurpose
from varta.cases.tests.helpers import acting_as, person_input
from varta.cases.tests.helpers_records import all_answers, case_at, upload
from varta.geo.models import AdminUnit, Country
from varta.hotline import actions as hotline_actions
from varta.hotline.actions import ConsultationInput, ContactInput
from varta.hotline.models import Contact, Topic

PERSONS: tuple[dict[str, Any], ...] = (
    {"given_name": "Ярослава", "family_name": "Ґудзь-Квітчастенко", "patronymic": "Остапівна",
     "birth_date": date(1987, 11, 23), "phone": "+380931234599", "email": "yaroslava.kvit@example.net",
     "address": "вул. Січових Стрільців, 77, Тернопіль", "id_document_type": "passport",
     "id_document_number": "КВ778899", "gender": "Feminine"},
    {"given_name": "Zoryana", "family_name": "Prokopchuk", "patronymic": "Bohdanivna",
     "birth_date": date(1995, 2, 8), "phone": "+380501112299", "email": "zoryana.prokop@example.com",
     "address": "Shevchenka St 12, Zbarazh", "id_document_type": "id_card", "id_document_number": "EX445566",
     "gender": "Feminine"},
)
NOTE_TEXTS = ("Розмова про повернення до Теребовлі без документів", "Talked about the Gdansk warehouse debt")
NEED_TEXT = "Потрібна операція на коліні у Чорткові"
PLAN_NOTE = "Appointment with Dr Hrytsenko-Lozynska"
ATTACHMENT_TEXTS = ("Довідка ЗАТОКА-ВІЗЕРУНОК 7731", "Certificate QUILLWORT-7732")
CALLER: dict[str, Any] = {"caller_name": "Северин Гнатюк-Бойко", "caller_phone": "+380661239876",
          "summary": "Дзвонив щодо сестри у Вроцлаві"}


def places() -> dict[str, AdminUnit]:
    def unit(pcode: str, level: int, name_en: str, name_uk: str, parent: AdminUnit | None) -> AdminUnit:
        return AdminUnit.objects.get_or_create(
            pcode=pcode, defaults={"country_iso3": "UKR", "level": level, "parent": parent, "name_en": name_en,
                                   "name_uk": name_uk, "search_en": name_en.lower(), "search_uk": name_uk.lower()})[0]

    oblast = unit("UA61", 1, "Ternopilska", "Тернопільська", None)
    raion = unit("UA6104", 2, "Ternopilskyi", "Тернопільський", oblast)
    hromada = unit("UA6104015", 3, "Zbarazka", "Збаразька", raion)
    return {"oblast": oblast, "raion": raion, "hromada": hromada}


def pdf_with(text: str) -> bytes:
    return b"%PDF-1.7\n1 0 obj << >> stream\n" + text.encode("utf-8") + b"\nendstream endobj\ntrailer << >>\n%%EOF\n"


def full_case(org, index: int = 0, **case_overrides: Any) -> Case:
    """A case at reintegration monitoring with something in every table (values from ``PERSONS[index]`` etc.)."""
    where = places()
    person = person_input(**PERSONS[index], citizenship=Country.objects.get(iso2="UA"), location=where["hromada"],
                          disability={"wg_walking": "3"})
    case = case_at(org, CaseStage.ASSISTANCE, consents=(ConsentPurpose.ASSISTANCE, ConsentPurpose.FOLLOW_UP),
                   person=person, **case_overrides)
    membership, actor = acting_as(org, Role.CASE_WORKER)
    save_screening(actor=actor, membership=membership, case=case, data=ScreeningInput(
        types_of_exploitation=["ForcedLabour"], forced_labour_industries=["F_Construction"],
        methods_of_control=["DebtBondage", "WithholdsDocuments"], recruitment_methods=["ThroughOnlineSocialNetworks"],
        relationship="recruiter", recruitment_place=where["hromada"], exploitation_countries=[Country.objects.get(
            iso2="PL")], exploitation_start=date(2023, 3, 1), exploitation_end=date(2023, 9, 30),
        trafficking_status="ActualVictimOfTrafficking", decided_by="NGO", decided_on=date(2024, 1, 10)))
    today = timezone.localdate()
    need = plan.add_need(actor=actor, membership=membership, case=case,
                         data=NeedInput(domain="health", description=NEED_TEXT))
    plan.add_plan_item(actor=actor, membership=membership, case=case, data=PlanItemInput(
        service_type="medical", target_date=today + timedelta(days=30), need=need, note=PLAN_NOTE))
    services.record_service(actor=actor, membership=membership, case=case, data=ServiceInput(
        service_type="rehabilitation_stay", started_on=today - timedelta(days=60), ended_on=today - timedelta(days=30),
        cost=Decimal("1250.50"), currency="UAH", project_code="EU-CT-7", outcome="completed"))
    follow_up = followups.schedule_follow_up(actor=actor, membership=membership, case=case, due_on=today)
    followups.record_follow_up(actor=actor, membership=membership, follow_up=follow_up, done_on=today,
                               answers=all_answers(4))
    notes.add_note(actor=actor, membership=membership, case=case, text=NOTE_TEXTS[index])
    notes.upload_attachment(actor=actor, membership=membership, case=case,
                            uploaded_file=upload("scan.pdf", pdf_with(ATTACHMENT_TEXTS[index])))
    case_actions.move(actor=actor, membership=membership, case=case, to_stage=CaseStage.MONITORING)
    return case


def close(org, case: Case, reason: str = ClosureReason.GOALS_MET, *, days_ago: int = 0) -> Case:
    """Close ``case`` (request by the worker, approval by the supervisor), ``days_ago`` days back."""
    worker, worker_actor = acting_as(org, Role.CASE_WORKER)
    case_actions.request_closure(actor=worker_actor, membership=worker, case=case, reason=reason)
    supervisor, supervisor_actor = acting_as(org, Role.CASE_SUPERVISOR)
    case_actions.approve_closure(actor=supervisor_actor, membership=supervisor, case=case)
    if days_ago:  # test set-up only: move the closure into the past
        Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=days_ago))
    case.refresh_from_db()
    return case


def caller_contact(org) -> Contact:
    membership = org.membership(Role.HOTLINE_OPERATOR)
    actor = Actor(user=membership.user, organisation=membership.organisation)
    topic = Topic.objects.get(organisation__isnull=True, code="job-offer-check")
    return hotline_actions.contact_create(actor=actor, membership=membership, data=ContactInput(
        channel="phone", started_at=timezone.now() - timedelta(minutes=5), callback_consent=True,
        consultations=[ConsultationInput(topic=topic)], **CALLER))


def secrets_of(index: int) -> list[str]:
    """The strings of ``PERSONS[index]``'s case that must never be readable without the key."""
    person = PERSONS[index]
    values = [str(person[name]) for name in ("given_name", "family_name", "patronymic", "email", "address",
                                             "id_document_number")]
    values += [person["phone"], person["phone"].removeprefix("+380"), person["birth_date"].isoformat(),
               NOTE_TEXTS[index], ATTACHMENT_TEXTS[index], NEED_TEXT, PLAN_NOTE]
    return values
