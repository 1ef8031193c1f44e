"""The standard two-level taxonomy of consultation topics that every organisation starts with."""

from __future__ import annotations

from typing import Any

# (code, English, Ukrainian, [(code, English, Ukrainian), ...])
STANDARD_TOPICS: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("safe-migration", "Safe migration and travel abroad", "Безпечна міграція та виїзд за кордон", [
        ("travel-rules", "Entry rules, visas and travel", "Правила в’їзду, візи та подорож"),
        ("job-offer-check", "Employment abroad: checking a job offer",
         "Працевлаштування за кордоном: перевірка вакансії"),
        ("study-abroad", "Studying abroad", "Навчання за кордоном"),
        ("recruitment-agency", "Checking a recruitment agency",
         "Перевірка агентства з працевлаштування"),
    ]),
    ("trafficking", "Suspected trafficking or exploitation", "Підозра на торгівлю людьми чи експлуатацію", [
        ("labour-exploitation", "Labour exploitation", "Трудова експлуатація"),
        ("sexual-exploitation", "Sexual exploitation", "Сексуальна експлуатація"),
        ("forced-begging-crime", "Forced begging or forced criminality", "Примус до жебракування чи злочинів"),
        ("trafficking-other", "Other form of exploitation", "Інша форма експлуатації"),
    ]),
    ("missing-person", "Missing person", "Зникла особа", []),
    ("documents", "Documents and legal status", "Документи та правовий статус", [
        ("lost-documents", "Lost or withheld documents", "Втрачені чи відібрані документи"),
        ("legal-status-abroad", "Legal status abroad (temporary protection, residence)",
         "Правовий статус за кордоном (тимчасовий захист, проживання)"),
        ("idp-registration", "IDP registration and benefits", "Реєстрація ВПО та виплати"),
    ]),
    ("evacuation", "Evacuation, transport and shelter", "Евакуація, транспорт і прихисток", [
        ("evacuation-routes", "Evacuation routes and transport", "Маршрути евакуації та транспорт"),
        ("shelter", "Shelter and accommodation", "Прихисток і житло"),
    ]),
    ("humanitarian", "Humanitarian assistance", "Гуманітарна допомога", [
        ("cash", "Cash assistance", "Грошова допомога"),
        ("in-kind", "Food, hygiene and other in-kind aid", "Продукти, гігієна та інша натуральна допомога"),
        ("medical", "Medical care", "Медична допомога"),
    ]),
    ("gbv", "Gender-based violence", "Гендерно зумовлене насильство", []),
    ("psychosocial", "Psychosocial support", "Психосоціальна підтримка", []),
    ("other", "Other", "Інше", []),
]


def load_standard_topics(topic_model: Any) -> None:
    """Create the standard terms that are missing (migration 0002; tests after a flush). Existing ones are kept."""
    for position, (code, name_en, name_uk, children) in enumerate(STANDARD_TOPICS, start=1):
        category, _ = topic_model.objects.get_or_create(
            organisation=None, code=code,
            defaults={"name_en": name_en, "name_uk": name_uk, "sort_order": position * 10})
        for child_position, (child_code, child_en, child_uk) in enumerate(children, start=1):
            topic_model.objects.get_or_create(
                organisation=None, code=child_code,
                defaults={"parent": category, "name_en": child_en, "name_uk": child_uk,
                          "sort_order": child_position})
