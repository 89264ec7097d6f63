"""Every page carries the portal's security headers; in production settings, exactly these."""

import base64
import pickle
import re

import pytest
from django.urls import reverse

from tests.casework.cases import application_at, send_evidence
from tests.helpers import sign_in
from tests.test_settings import PRODUCTION, manage


@pytest.mark.embedded
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz", "/no-such-page/"])
def test_security_headers_on_every_response(client, db, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    directives = {}
    for part in filter(None, (p.strip() for p in csp.split(";"))):
        name, _, value = part.partition(" ")
        directives[name] = value
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_loads_anything_from_another_host(client, db):
    html = client.get("/").content.decode()
    assert "googleapis" not in html
    assert 'src="http' not in html
    assert 'href="http' not in html.split("<body")[0]  # nothing remote in <head>


# --- The exact headers, in production settings ------------------------------------------------

# The settings that decide the headers, as production computes them (read from a process started
# with production's environment, tests/test_settings.py), applied to this test's requests.
HEADER_SETTINGS = (
    "CONTENT_SECURITY_POLICY",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "PERMISSIONS_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REFERRER_POLICY",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_SECURE",
    "X_FRAME_OPTIONS",
)


@pytest.fixture(scope="module")
def production_header_settings():
    # Pickled: the CSP holds django-csp's own markers (its nonce), which JSON cannot carry.
    code = (
        "import base64, pickle; from django.conf import settings as s;"
        f"print(base64.b64encode(pickle.dumps({{n: getattr(s, n) for n in {HEADER_SETTINGS!r}}}))"
        ".decode())"
    )
    result = manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    return pickle.loads(base64.b64decode(result.stdout.splitlines()[-1]))  # noqa: S301 (ours)


@pytest.fixture
def production(settings, production_header_settings, client):
    for name, value in production_header_settings.items():
        setattr(settings, name, value)
    settings.DEBUG = False
    # Every request as the load balancer hands it on: TLS ended there, X-Forwarded-Proto says so.
    client.defaults["HTTP_X_FORWARDED_PROTO"] = "https"
    return settings


NONCE = re.compile(r"'nonce-[A-Za-z0-9+/=_-]{16,}'")
CSP_PAGE = {
    "default-src": "'self'",
    "script-src": "'self' NONCE",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
EVERY_RESPONSE = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()"
    ),
}


def headers_of(response) -> dict:
    seen = {name: response.get(name) for name in EVERY_RESPONSE}
    # The policy's directives, each exactly (their order in the header means nothing).
    policy = NONCE.sub("NONCE", response["Content-Security-Policy"])
    seen["Content-Security-Policy"] = dict(
        part.strip().split(" ", 1) for part in policy.split(";") if part.strip()
    )
    return seen


def test_a_resident_page_has_exactly_the_security_headers(client, production, resident):
    sign_in(client, resident)
    response = client.get(reverse("accounts:home"))
    assert (response.status_code, headers_of(response)) == (
        200,
        {**EVERY_RESPONSE, "Content-Security-Policy": CSP_PAGE},
    )


def test_a_staff_page_has_exactly_the_security_headers(client, production, agent):
    sign_in(client, agent)
    response = client.get(reverse("casework:search"))
    assert (response.status_code, headers_of(response)) == (
        200,
        {**EVERY_RESPONSE, "Content-Security-Policy": CSP_PAGE},
    )


def test_an_error_page_has_exactly_the_security_headers(client, production, db):
    response = client.get("/no-such-page/")
    assert (response.status_code, headers_of(response)) == (
        404,
        {**EVERY_RESPONSE, "Content-Security-Policy": CSP_PAGE},
    )


def test_a_file_download_has_exactly_the_security_headers(client, production, db, tmp_path):
    production.MEDIA_ROOT = tmp_path / "media"
    application = application_at(20001)
    evidence = send_evidence(application)
    sign_in(client, application.user)
    url = reverse(
        "parking:evidence_file",
        kwargs={"reference": application.reference, "evidence_id": evidence.public_id},
    )
    response = client.get(url)
    assert (
        response.status_code,
        headers_of(response),
        response["Cache-Control"],
        response["Content-Disposition"],
    ) == (
        200,
        {**EVERY_RESPONSE, "Content-Security-Policy": {**CSP_PAGE, "script-src": "'self'"}},
        "private, no-store",
        'attachment; filename="council-tax-bill.pdf"',
    )


def test_plain_http_is_sent_to_https_in_production(client, production, db):
    client.defaults["HTTP_X_FORWARDED_PROTO"] = "http"
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (301, "https://testserver/")


def test_the_session_and_csrf_cookies_in_production(client, production, resident):
    form = client.get(reverse("account_login"))
    response = sign_in(client, resident)
    csrf = form.cookies[production.CSRF_COOKIE_NAME]
    session = response.cookies[production.SESSION_COOKIE_NAME]
    # Sent over HTTPS only, same-site requests only; the session out of scripts' reach, and
    # gone when the browser closes (many residents use shared or library computers).
    assert {
        "csrf": (csrf["secure"], csrf["samesite"]),
        "session": (session["secure"], session["httponly"], session["samesite"]),
        "session lasts": (session["max-age"], session["expires"]),
    } == {
        "csrf": (True, "Lax"),
        "session": (True, True, "Lax"),
        "session lasts": ("", ""),
    }


# --- Nothing but the portal's pages and its collected static files is served ------------------


@pytest.mark.parametrize(
    "path",
    ["/.git/config", "/.git/HEAD", "/.env", "/manage.py", "/pyproject.toml", "/static/.git/config"],
)
def test_no_source_file_is_served(client, db, path):
    assert client.get(path).status_code == 404
