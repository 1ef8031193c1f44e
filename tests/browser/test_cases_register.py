"""Search before register in a real browser: typing a Latin spelling shows the person registered in Cyrillic.

register.js posts the names (never in a URL) while the worker types; the "possible matches" panel must show the
existing person of the organisation, and a person of another organisation must never appear.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import PAGE_WAIT_SECONDS
from tests.browser.test_operator_keyboard import log_in
from varta.accounts.permissions import Role
from varta.cases.tests.helpers import person_input, register_case

pytestmark = pytest.mark.browser


def test_it_shows_a_cyrillic_registration_while_a_latin_spelling_is_typed(browser, live_server, personas,
                                                                          settings):
    settings.DEMO_MODE = True  # case workers need two factors otherwise; this test is about the search
    case = register_case(personas.a)  # Шевченко Олександр Іванович, born 1990-05-17
    register_case(personas.b, person=person_input(given_name="Олександр", family_name="Шевченко",
                                                  patronymic="Бетович"))
    log_in(browser, live_server, personas.a.user(Role.CASE_WORKER).username)
    browser.get(f"{live_server.url}/cases/register/")
    browser.find_element(By.NAME, "family_name").send_keys("Shevcenko")  # a typo, Latin script
    browser.find_element(By.NAME, "given_name").send_keys("Aleksandr")  # the Russian spelling

    panel = browser.find_element(By.ID, "matches")
    WebDriverWait(browser, PAGE_WAIT_SECONDS).until(lambda d: case.reference in panel.text)
    assert "Шевченко Олександр Іванович" in panel.text
    assert "Бетович" not in browser.page_source
    assert "Shevcenko" not in browser.current_url
