"""Browser tests: a real Chromium (Debian's package) driven by Playwright against Django's live server.

Where Chromium is missing these tests are skipped with a visible reason, except in CI (CI=true), where a
missing browser is a failure: CI must prove the pages work.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BANGFU_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_path() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if not path:
        message = f"Chromium not found at {CHROMIUM}: browser tests need Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def demo_county(transactional_db):
    """A small synthetic county (same generator as `make demo`), with its demo users."""
    from bangfu.demo.builder import demo_build

    return demo_build(people=2500, seed=7)


def login(page, base_url: str, username: str) -> None:
    from bangfu.demo.builder import DEMO_PASSWORD

    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
