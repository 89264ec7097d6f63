"""GOV.UK Frontend's own scripts run on every page (docs/decisions/0006): the error summary takes
focus, and a submit button pressed twice sends its form once. Pages work without them too."""

import re

import pytest

from tests.browser import assert_accessible

pytestmark = pytest.mark.browser


def _sign_in_posts(page):
    """Every sign-in POST the browser sends, counted as it leaves the browser."""
    posts = []

    def count(route):
        if route.request.method == "POST":
            posts.append(route.request.url)
        route.continue_()

    page.route("**/accounts/login/", count)
    return posts


def test_the_error_summary_takes_focus_when_a_page_with_errors_loads(page, resident):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(resident.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    # A screen reader reads the summary first; the keyboard starts from it.
    assert page.evaluate("() => document.activeElement.classList.contains('govuk-error-summary')")
    assert page.evaluate("() => document.body.classList.contains('js-enabled')")
    assert_accessible(page, context="(error summary focused)")
    # The scripts load under the strict CSP: no violation, no script error.
    assert page.console_problems == []


def test_a_double_click_on_a_submit_button_sends_the_form_once(page, resident):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(resident.email)
    page.get_by_label("Password").fill("not-the-password")
    posts = _sign_in_posts(page)
    page.get_by_role("button", name="Sign in").dblclick(delay=100)
    page.wait_for_load_state("load")
    page.get_by_role("heading", name="Sign in").wait_for()
    assert len(posts) == 1
    assert page.console_problems == []


def test_without_javascript_the_form_still_sends_and_shows_its_errors(page_without_js, resident):
    page = page_without_js
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(resident.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert "not correct" in page.locator(".govuk-error-summary").inner_text()


def test_the_scripts_carry_the_pages_csp_nonce(client):
    response = client.get("/accounts/login/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    for script in ("js/govuk-frontend", "js/portal"):
        tag = re.search(rf'<script src="[^"]*{script}[^"]*"[^>]*>', html).group(0)
        assert f'nonce="{nonce}"' in tag
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_no_template_asks_for_gov_uk_frontend_3s_radios_script():
    # It puts aria-expanded on radio inputs, which ARIA does not allow (docs/decisions/0006).
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    asking = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if 'data-module="govuk-radios"' in path.read_text()
    ]
    assert asking == []
