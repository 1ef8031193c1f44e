"""Keyboard use of the login page: the skip link comes first, and Tab walks the form in reading order."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import PAGE_WAIT_SECONDS

pytestmark = pytest.mark.browser

MAX_STOPS = 40

# A short, stable name for the focused element: the id, else the tag with its class, plus its text.
DESCRIBE_ACTIVE = """
const e = document.activeElement;
if (!e || e === document.body || e === document.documentElement) { return "body"; }
const name = e.id ? "#" + e.id : e.tagName.toLowerCase() + (e.className ? "." + e.className.split(" ")[0] : "");
const text = (e.getAttribute("type") === "submit" || e.tagName === "A") ? " " + e.textContent.trim() : "";
return name + text;
"""


def active(driver: WebDriver) -> str:
    return str(driver.execute_script(DESCRIBE_ACTIVE))


def tab(driver: WebDriver) -> str:
    ActionChains(driver).send_keys(Keys.TAB).perform()
    return active(driver)


def focus_cycle(driver: WebDriver) -> list[str]:
    """Every Tab stop of the page, from the first to the last, found by tabbing once round the whole page.

    Tabbing past the last stop leaves the page (focus on the body); the next Tab lands on the first stop.
    """
    for _ in range(MAX_STOPS):
        if tab(driver) == "body":
            break
    else:
        pytest.fail("Tab never left the page")
    stops: list[str] = []
    for _ in range(MAX_STOPS):
        stop = tab(driver)
        if stop == "body":
            return stops
        stops.append(stop)
    pytest.fail(f"more than {MAX_STOPS} Tab stops: {stops}")


def test_it_puts_the_skip_link_first_and_the_form_fields_in_order(browser, live_server):
    browser.get(f"{live_server.url}/accounts/login/")
    # Autofocus: the first thing to type is the username. Chromium applies it at a rendering step that may come
    # after the load event on a busy machine, so wait for it rather than read it at once.
    WebDriverWait(browser, PAGE_WAIT_SECONDS).until(lambda d: active(d) == "#id_username")

    stops = focus_cycle(browser)

    assert stops[0] == "a.skip Skip to content"
    start = stops.index("#id_username")
    assert stops[start:start + 3] == ["#id_username", "#id_password", "button Log in"]
    # The header (brand, language) comes after the skip link and before the form.
    assert stops.index("a.brand Varta") < start


def test_it_moves_focus_to_the_content_with_the_skip_link(browser, live_server):
    browser.get(f"{live_server.url}/accounts/login/")
    browser.execute_script("document.activeElement.blur()")
    stops = focus_cycle(browser)
    assert stops[0] == "a.skip Skip to content"
    # Back at the start: focus the skip link again and check it is visible when focused.
    for _ in range(MAX_STOPS):
        if tab(browser) == "a.skip Skip to content":
            break
    skip = browser.find_element(By.CSS_SELECTOR, "a.skip")
    rect = skip.rect
    assert skip.is_displayed()
    assert rect["x"] >= 0
    assert rect["y"] >= 0

    skip.send_keys(Keys.ENTER)

    assert active(browser) == "#main"
    assert tab(browser) == "#id_username"
