"""The standard two-level taxonomy of consultation topics that every organisation starts with."""

from __future__ import annotations

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
