"""The bundle clicked through in a real browser: Debian's headless Chromium driven by Playwright,
with every non-local request blocked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.release.conftest import Released
from tests.release.links import broken_links

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.verifies("SRS-382", "SRS-373")
def test_every_page_loads_offline_with_working_links_and_filter(released: Released) -> None:
    """It opens every page with no console error and no network access, every internal link
    resolves (anchors too), and the matrix's search and status filter narrow its rows."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run scripts/setup.sh")
    from playwright.sync_api import Route, sync_playwright

    bundle = released.first.outdir
    pages = sorted(bundle.rglob("*.html"))
    assert len(pages) >= 10
    blocked: list[str] = []
    problems: list[str] = []

    def route(r: Route) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox"])
        context = browser.new_context(offline=True)
        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: problems.append(f"{page.url}: {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"failed request {r.url}"))
        for html in pages:
            page.goto(html.as_uri())
            page.wait_for_load_state("load")
        # the matrix filter
        page.goto((bundle / "matrix.html").as_uri())
        rows = page.locator("#req-table tbody tr")
        total = rows.count()
        assert total == 3
        page.fill("#q", "SRS-002")
        assert page.locator("#req-table tbody tr:not(.hidden)").count() == 1
        assert "SRS-002" in page.locator("#req-table tbody tr:not(.hidden)").inner_text()
        page.fill("#q", "")
        page.select_option("#st", "error")
        assert page.locator("#req-table tbody tr:not(.hidden)").count() == 0
        page.select_option("#st", "ok")
        assert page.locator("#req-table tbody tr:not(.hidden)").count() == total
        assert "rows shown" in page.inner_text("#shown")
        browser.close()
    assert not problems, problems
    assert not blocked, blocked
    assert broken_links(bundle) == []
