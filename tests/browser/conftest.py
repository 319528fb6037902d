"""A live server with the demo partnership, one headless Chromium, and axe-core on every page.

Every navigation goes through :func:`visit`, :func:`submit` or :func:`follow`. Each one checks
the response status, then runs :func:`assert_accessible` (axe-core, WCAG 2.2 AA and best
practice) and :func:`assert_no_browser_errors` (console errors, uncaught exceptions, Content
Security Policy violations, failed requests for the page's assets, errors the app logged).

The server sends its real Content-Security-Policy. axe-core is injected through the DevTools
protocol (``page.evaluate``), which the page's CSP does not govern, so the policy the pages are
tested under is exactly the one users get.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Response,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

from audit_app import create_app
from audit_app.core.migrate import upgrade
from audit_app.demo import load_demo
from tests.databases import fresh_database

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_PATH = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
# Every page is checked at a desktop width and at a phone's width (an iPhone SE's 375 px).
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}
SCREENSHOT_DIR = Path("/tmp/screens")  # noqa: S108 (for a person to look at after a run)
DEFAULT_TIMEOUT_MS = 10_000

# The init script reports every CSP violation through an exposed binding, so reports made
# while a page is being replaced are not lost with the page's JavaScript state.
CSP_REPORTER = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__auditCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || '(inline)'}`
    + ` on ${event.documentURI}`
    + (event.sourceFile ? ` (${event.sourceFile}:${event.lineNumber})` : '')
    + (event.sample ? `: ${event.sample}` : '')
  );
}, true);
"""

AXE_RUN = """
async (options) => {
  const results = await window.axe.run(document, options);
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    nodes: violation.nodes.map((node) => ({
      target: node.target.map(String),
      html: node.html,
      summary: node.failureSummary,
    })),
  }));
}
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives the browser: mark it so (``-m "not browser"``)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


# --- The live server ---------------------------------------------------------------------


class ServerErrors(logging.Handler):
    """Keeps every ERROR the live app logs (an unhandled exception, a refused view...)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))


SERVER_ERRORS = ServerErrors()


def _build_app(database_url: str, evidence_dir: str) -> Any:
    """An app on its own database, leaving the environment as the other tests' fixtures set it."""
    wanted = {
        "AUDIT_DATABASE_URL": database_url,
        "AUDIT_ENV": "testing",
        "AUDIT_SECRET_KEY": "browser-test-secret-key-that-is-long-enough-to-use",
    }
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        app = create_app({"TESTING": True, "AUDIT_EVIDENCE_DIR": evidence_dir})
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    assert app.config["AUDIT_DATABASE_URL"] == database_url
    return app


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the app, with the demo partnership loaded, served on a free port."""
    with fresh_database(tmp_path_factory.mktemp("browser-db"), "browser") as url:
        upgrade(url)
        app = _build_app(url, str(tmp_path_factory.mktemp("browser-evidence")))
        database = app.extensions["audit_db"]
        session = database.new_session(actor_label="test")
        try:
            load_demo(session)
            session.commit()
        finally:
            session.close()

        SERVER_ERRORS.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        app.logger.addHandler(SERVER_ERRORS)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(
            target=server.serve_forever, name="browser-live-server", daemon=True
        )
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
            app.logger.removeHandler(SERVER_ERRORS)
            database.engine.dispose()


# --- The browser -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.is_file():
        pytest.fail(f"axe-core is missing at {AXE_PATH}: run `npm ci` in {PROJECT_ROOT}")
    # Evaluated as a DevTools expression: end on a value, not on the script's last statement.
    return AXE_PATH.read_text(encoding="utf-8") + "\n;typeof window.axe"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need it "
            "(apt-get install chromium). They do not download a browser.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageMonitor:
    """What one tab has seen: the pages visited and every error it should not have."""

    base_url: str
    axe_source: str
    visited: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    # Documents the test expects to answer with an error status (a 403 or 404 page): Chromium
    # logs "Failed to load resource" for them, which is then not a fault.
    expected_error_documents: set[str] = field(default_factory=set)
    server_errors_seen: int = 0

    def on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        # GOV.UK Frontend reports a component that failed to start with console.log(error),
        # e.g. "ElementError: ..."; Chromium reports CSP violations as errors.
        if (
            message.type == "error"
            or "Content Security Policy" in text
            or (message.type in {"warning", "log"} and re.search(r"Error\b", text))
        ):
            location = message.location.get("url", "") if message.location else ""
            if (
                text.startswith("Failed to load resource: the server responded with a status")
                and location in self.expected_error_documents
            ):
                return
            self.console_errors.append(f"console.{message.type}: {text} ({location})")

    def on_csp_violation(self, report: str) -> None:
        self.csp_violations.append(report)

    def on_page_error(self, error: PlaywrightError) -> None:
        self.console_errors.append(f"uncaught exception: {error.message}")

    def on_request_failed(self, request: Request) -> None:
        failure = request.failure or ""
        if "ERR_ABORTED" not in failure:
            self.failed_requests.append(f"{request.method} {request.url}: {failure}")

    def on_response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.failed_requests.append(
                f"{response.request.method} {response.url}: HTTP {response.status}"
            )


_MONITORS: dict[int, PageMonitor] = {}


def monitor_of(page: Page) -> PageMonitor:
    return _MONITORS[id(page)]


@pytest.fixture
def page(browser: Browser, live_server: str, axe_source: str) -> Iterator[Page]:
    """A tab in a new browser context (no shared cookies), watched for errors."""
    context = browser.new_context(
        base_url=live_server,
        viewport=DESKTOP,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    monitor = PageMonitor(
        base_url=live_server,
        axe_source=axe_source,
        server_errors_seen=len(SERVER_ERRORS.records),
    )
    context.expose_function("__auditCspViolation", monitor.on_csp_violation)
    context.add_init_script(script=CSP_REPORTER)
    tab = context.new_page()
    tab.on("console", monitor.on_console)
    tab.on("pageerror", monitor.on_page_error)
    tab.on("requestfailed", monitor.on_request_failed)
    tab.on("response", monitor.on_response)
    _MONITORS[id(tab)] = monitor
    try:
        yield tab
        assert_no_browser_errors(tab)
    finally:
        _MONITORS.pop(id(tab), None)
        context.close()


# --- Checks --------------------------------------------------------------------------------


def _format_violations(page: Page, violations: list[dict[str, Any]]) -> str:
    lines = [
        f"axe-core found {len(violations)} accessibility violation(s) on {page.url} "
        f"(title {page.title()!r}):"
    ]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation['impact']}]: {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    target: {', '.join(node['target'])}")
            lines.append(f"    html:   {node['html']}")
            summary = (node["summary"] or "").replace("\n", "\n            ")
            lines.append(f"    why:    {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now; fail listing every violation."""
    monitor = monitor_of(page)
    if page.evaluate("() => typeof window.axe") != "object":
        loaded = page.evaluate(monitor.axe_source)
        assert loaded == "object", f"axe-core did not load into {page.url}: {loaded!r}"
    violations = page.evaluate(AXE_RUN, AXE_OPTIONS)
    assert not violations, _format_violations(page, violations)


SCROLL_WIDTH = """
() => ({
  document: document.documentElement.scrollWidth,
  viewport: document.documentElement.clientWidth,
  // Elements that stick out past the right edge (not clipped by a scrolling wrapper).
  culprits: [...document.querySelectorAll('body *')]
    .filter((element) => element.getBoundingClientRect().right
      > document.documentElement.clientWidth + 1)
    .filter((element) => !element.closest('.app-table-wrapper')
      || getComputedStyle(element).position === 'absolute')
    .slice(0, 5)
    .map((element) => `${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''}`
      + `${element.className && typeof element.className === 'string'
        ? '.' + element.className.trim().split(/\\s+/).join('.') : ''}`
      + ` (right edge ${Math.round(element.getBoundingClientRect().right)})`),
})
"""


def assert_no_sideways_scroll(page: Page) -> None:
    """The document is no wider than the window: nothing pans sideways into blank space.

    A wide table may scroll inside its own focusable wrapper; the page itself never does.
    """
    measured = page.evaluate(SCROLL_WIDTH)
    assert measured["document"] <= measured["viewport"], (
        f"{page.url} at {measured['viewport']} px wide scrolls sideways to "
        f"{measured['document']} px; sticking out: {', '.join(measured['culprits']) or '?'}"
    )


def assert_accessible_at_every_width(page: Page) -> None:
    """axe-core and the sideways-scroll check at the desktop width, then at a phone's width.

    The window goes back to the desktop width afterwards, so the test goes on as before.
    """
    for viewport in (DESKTOP, PHONE):
        if page.viewport_size != viewport:
            page.set_viewport_size(viewport)
        assert_no_sideways_scroll(page)
        assert_accessible(page)
    page.set_viewport_size(DESKTOP)


def assert_no_browser_errors(page: Page) -> None:
    """Fail on console errors, CSP violations, failed asset requests or app errors so far."""
    monitor = monitor_of(page)
    problems = [
        *(f"CSP violation: {text}" for text in monitor.csp_violations),
        *monitor.console_errors,
        *(f"request failed: {text}" for text in monitor.failed_requests),
        *(f"server logged: {text}" for text in SERVER_ERRORS.records[monitor.server_errors_seen :]),
    ]
    monitor.csp_violations.clear()
    monitor.console_errors.clear()
    monitor.failed_requests.clear()
    monitor.server_errors_seen = len(SERVER_ERRORS.records)
    assert not problems, f"errors while on {page.url}:\n" + "\n".join(
        f"- {problem}" for problem in problems
    )


def assert_page_basics(page: Page) -> None:
    """What every page must have: one h1, in the title; GOV.UK Frontend's JavaScript running."""
    h1s = page.locator("h1")
    assert h1s.count() == 1, f"{page.url}: expected one h1, found {h1s.count()}"
    h1 = " ".join(h1s.inner_text().split())
    title = " ".join(page.title().split())
    assert h1 and h1 in title, f"{page.url}: title {title!r} does not contain h1 {h1!r}"
    # The nonce'd inline script in the page template adds this class: proves the CSP nonce works.
    body_classes = page.locator("body").get_attribute("class") or ""
    assert "govuk-frontend-supported" in body_classes, (
        f"{page.url}: <body> lacks govuk-frontend-supported (class={body_classes!r}): "
        "the page template's inline script did not run"
    )


VISITED: list[str] = []  # every page checked this run, for the summary


def check_page(page: Page, response: Response | None, status: int) -> Response:
    """After every navigation: the status, the page basics, axe-core, and no errors."""
    assert response is not None, f"no response for {page.url}"
    assert response.status == status, (
        f"{response.request.method} {response.url}: expected HTTP {status}, got {response.status}"
    )
    monitor = monitor_of(page)
    monitor.visited.append(page.url)
    VISITED.append(urlsplit(page.url).path)
    assert_page_basics(page)
    assert_accessible_at_every_width(page)
    assert_no_browser_errors(page)
    return response


def visit(page: Page, path: str, *, status: int = 200) -> Response:
    """GET a page of the live server, then check it (axe-core included)."""
    monitor = monitor_of(page)
    url = urljoin(monitor.base_url, path)
    if status >= 400:
        monitor.expected_error_documents.add(url)
    return check_page(page, page.goto(url, wait_until="load"), status)


def click_and_check(page: Page, target: Locator, *, status: int = 200) -> Response:
    """Click something that navigates (a submit button, a link), wait, then check the page."""
    if status >= 400:
        monitor_of(page).expected_error_documents.add(page.url)
    with page.expect_navigation(wait_until="load") as navigation:
        target.click()
    return check_page(page, navigation.value, status)


def submit(page: Page, button: str, *, status: int = 200) -> Response:
    """Press the button (a form's submit, or a link styled as a button) and check the result."""
    return click_and_check(page, page.get_by_role("button", name=button, exact=True), status=status)


def follow(page: Page, link: str, *, status: int = 200) -> Response:
    """Follow a link by its accessible name and check the page it leads to."""
    return click_and_check(page, page.get_by_role("link", name=link, exact=True), status=status)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot for a person to look at (not an assertion)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if VISITED:
        terminalreporter.write_line(
            f"browser: axe-core checked {len(VISITED)} page loads "
            f"({len(set(VISITED))} distinct paths); screenshots in {SCREENSHOT_DIR}"
        )
