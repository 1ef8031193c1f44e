"""The rights pages in a browser: they fit a phone, and an organisation admin anonymises an expired case."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from conftest import PASSWORD
from tests.browser.conftest import submit_and_wait
from varta.accounts.permissions import Role
from varta.cases.models import Case
from varta.cases.tests.helpers_rights import close, full_case

pytestmark = pytest.mark.browser


def test_it_anonymises_an_expired_case_on_a_phone(browser, live_server, personas, settings, screenshot):
    settings.DEMO_MODE = True  # this test is about the pages, not the second factor
    case = full_case(personas.a)
    expired = close(personas.a, full_case(personas.a, 1), days_ago=1827)
    user = personas.a.user(Role.ORG_ADMIN)
    browser.set_window_size(390, 844)
    try:
        browser.get(f"{live_server.url}/accounts/login/")
        browser.find_element(By.ID, "id_username").send_keys(user.username)
        browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
        submit_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        too_wide = {}
        for page, name in ((f"/cases/{case.pk}/person/export/", "rights-export"), ("/cases/export/htcds/",
                                                                                 "rights-htcds"),
                           ("/cases/retention/", "rights-retention")):
            browser.get(f"{live_server.url}{page}")
            screenshot(name)
            scroll, view = browser.execute_script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if scroll > view:
                too_wide[page] = (scroll, view)
        assert too_wide == {}, f"pages wider than a phone screen (scrollWidth, clientWidth): {too_wide}"
        browser.find_element(By.ID, f"case-{expired.pk}").click()
        browser.find_element(By.NAME, "confirm").click()
        submit_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        screenshot("rights-retention-done")
        assert "1 case anonymised." in browser.find_element(By.CSS_SELECTOR, ".messages").text
        assert Case.objects.get(pk=expired.pk).anonymised_at is not None
    finally:
        browser.set_window_size(1280, 900)
