"""The report as a person sees it: opened from disk in a real headless Chromium (Debian's
package, driven by Playwright), offline, with a working slider."""

import os
import shutil
from pathlib import Path

import pytest

from ganforge.report import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium: install it with `apt-get install chromium` "
                             "(.ci/run does) to run the browser test")
SECTIONS = ("run", "progress", "curves", "metrics", "memorisation", "walks")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright's own browser download cannot be reached here: use the system chromium.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_the_page_works_offline_in_chromium(browser, trained_run, tmp_path):
    page_path = write_report(trained_run, features="never", progress=False)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, requests = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_path.as_uri())
    page.wait_for_load_state("load")

    for section in SECTIONS:
        assert page.locator(f"section#{section}").count() == 1, section
    visible = page.locator("#progress .grid-frame img:visible")
    assert visible.count() == 1 and visible.get_attribute("data-step") == "40"
    # Moving the slider shows another grid, and says which step.
    page.locator("#progress-slider").fill("0")
    visible = page.locator("#progress .grid-frame img:visible")
    assert visible.count() == 1 and visible.get_attribute("data-step") == "10"
    assert page.locator("#progress-step").inner_text() == "10"
    shown = visible.evaluate("image => image.complete && image.naturalWidth > 0")
    assert shown, "the grid did not decode"

    assert errors == []
    assert all(url.startswith(("file://", "data:")) for url in requests), requests
    screenshots = Path(os.environ.get("GANFORGE_SCREENSHOT_DIR") or tmp_path)
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / "report.png"), full_page=True)
    assert (screenshots / "report.png").stat().st_size > 10_000
    page.close()
