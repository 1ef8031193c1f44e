"""Switching the interface to Ukrainian with the header's language button."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import submit_and_wait

pytestmark = pytest.mark.browser


def test_it_switches_the_login_page_to_ukrainian(browser, live_server, screenshot):
    browser.get(f"{live_server.url}/accounts/login/")
    assert browser.execute_script("return document.documentElement.lang") == "en"

    submit_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.lang button[value=uk]"))

    assert browser.current_url.startswith(f"{live_server.url}/accounts/login/")
    assert browser.execute_script("return document.documentElement.lang") == "uk"
    # The header now offers the way back to English, and no longer offers Ukrainian.
    back = browser.find_element(By.CSS_SELECTOR, "form.lang button[value=en]")
    assert back.get_attribute("lang") == "en"
    assert browser.execute_script("return document.querySelectorAll('form.lang button[value=uk]').length") == 0
    screenshot("login-uk")
    assert browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").text == "Увійти"


def test_it_keeps_ukrainian_on_the_next_page(browser, live_server):
    browser.get(f"{live_server.url}/accounts/login/")
    submit_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.lang button[value=uk]"))

    browser.get(f"{live_server.url}/accounts/login/?next=/")

    assert browser.execute_script("return document.documentElement.lang") == "uk"
