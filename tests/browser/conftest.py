"""Browser tests: headless Chromium driven by Selenium against a live Varta server.

Needs the Debian packages ``chromium`` and ``chromium-driver`` (``/usr/bin/chromium``, ``/usr/bin/chromedriver``;
override with VARTA_CHROMIUM / VARTA_CHROMEDRIVER). Without them every test here is skipped with the reason below,
unless VARTA_REQUIRE_BROWSER=1 (set by .ci/run in CI), which turns the skip into a failure.

Screenshots of key pages are written to the directory in VARTA_SCREENSHOTS, when set.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test.utils import override_settings
from pytest_django.live_server_helper import LiveServer
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from conftest import restore_reference_data

MISSING_REASON = "Chromium/chromedriver not installed (apt-get install chromium chromium-driver)"

# The machine's network is closed: without these flags Chromium tries to reach Google hosts and can hang.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
WINDOW = (1280, 900)
IMPLICIT_WAIT_SECONDS = 2
PAGE_WAIT_SECONDS = 15


def chromium_paths() -> tuple[Path, Path]:
    return (Path(os.environ.get("VARTA_CHROMIUM", "/usr/bin/chromium")),
            Path(os.environ.get("VARTA_CHROMEDRIVER", "/usr/bin/chromedriver")))


@pytest.fixture(scope="session")
def chromium(live_server: LiveServer) -> Iterator[WebDriver]:
    """One headless Chromium for the whole session (per xdist worker); ``browser`` resets it between tests.

    It depends on ``live_server`` so that it quits first: a keep-alive connection left open to a stopped server
    would make the server's request thread touch a database connection that is no longer shared with it.
    """
    binary, driver_path = chromium_paths()
    missing = [str(p) for p in (binary, driver_path) if not p.is_file()]
    if missing:
        if os.environ.get("VARTA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{MISSING_REASON}; VARTA_REQUIRE_BROWSER=1 and missing: {', '.join(missing)}")
        pytest.skip(MISSING_REASON)
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory(prefix="varta-chromium-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={WINDOW[0]},{WINDOW[1]}")
        # An explicit driver path: Selenium Manager never runs, so nothing is downloaded.
        driver = webdriver.Chrome(options=options, service=Service(executable_path=str(driver_path)))
        try:
            driver.set_window_size(*WINDOW)
            driver.implicitly_wait(IMPLICIT_WAIT_SECONDS)
            driver.set_page_load_timeout(60)
            yield driver
        finally:
            driver.quit()


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """pytest-django's live server, started with plain-http settings.

    Django's SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the server thread builds its handler, so the
    override must be active while the server starts (the ``settings`` fixture comes too late for a session-scoped
    server). Keeping the name ``live_server`` keeps pytest-django's behaviour: tests using it get a transactional
    database shared with the server thread.
    """
    with override_settings(SECURE_SSL_REDIRECT=False, SECURE_HSTS_SECONDS=0):
        server = LiveServer(os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost"))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: None) -> None:
    """Transactional tests flush every table afterwards, including the rows migrations loaded: put them back."""
    restore_reference_data()


@pytest.fixture
def browser(chromium: WebDriver, live_server: LiveServer, settings) -> Iterator[WebDriver]:
    """The session's Chromium with no cookies, pointed at nothing yet; production settings except plain http."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.DEMO_MODE = False
    chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    yield chromium
    chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})


@pytest.fixture
def screenshot(browser: WebDriver) -> Callable[[str], None]:
    """Save the current page as ``<VARTA_SCREENSHOTS>/<name>.png``; does nothing when VARTA_SCREENSHOTS is unset."""

    def _save(name: str) -> None:
        directory = os.environ.get("VARTA_SCREENSHOTS")
        if not directory:
            return
        Path(directory).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(directory) / f"{name}.png"))

    return _save


def submit_and_wait(driver: WebDriver, button: WebElement) -> None:
    """Click a submit button (or link) and wait until the next page has replaced the current one.

    The current document gets a marker; the next document has none. Asking the browser while it navigates can
    fail in several ways (a stale element, "node does not belong to the document", no execution context): those
    only mean "not yet", so the wait ignores them.
    """
    driver.execute_script("window.__vartaOldPage = true;")
    button.click()

    def next_page_loaded(d: WebDriver) -> bool:
        return bool(d.execute_script("return !window.__vartaOldPage && document.readyState === 'complete';"))

    WebDriverWait(driver, PAGE_WAIT_SECONDS, ignored_exceptions=(WebDriverException,)).until(next_page_loaded)
