"""Pages fit a phone: no page scrolls sideways at 390 px wide (tables scroll inside their own box)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from conftest import PASSWORD
from tests.browser.conftest import submit_and_wait
from varta.accounts.permissions import Role

pytestmark = pytest.mark.browser

PAGES = ["/", "/organisations/mine/", "/organisations/", "/organisations/mine/edit/", "/audit/", "/places/?q=Uzh",
         "/accounts/profile/", "/accounts/tokens/"]


def test_it_fits_a_phone_screen(browser, live_server, personas, settings, screenshot):
    settings.DEMO_MODE = True  # this test is about layout, not the second factor
    user = personas.a.user(Role.SYSTEM_ADMIN)
    browser.set_window_size(390, 844)
    try:
        browser.get(f"{live_server.url}/accounts/login/")
        browser.find_element(By.ID, "id_username").send_keys(user.username)
        browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
        submit_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        too_wide = {}
        for page in PAGES:
            browser.get(f"{live_server.url}{page}")
            scroll, view = browser.execute_script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if scroll > view:
                too_wide[page] = (scroll, view)
        screenshot("phone-organisation")
        assert too_wide == {}, f"pages wider than a phone screen (scrollWidth, clientWidth): {too_wide}"
    finally:
        browser.set_window_size(1280, 900)
