"""Production mode refuses an insecure configuration; a good one passes `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "test-only-" + "".join(chr(33 + (i * 7) % 90) for i in range(60))
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": GOOD_SECRET,
    "ALLOWED_HOSTS": "portal.hackney.gov.uk",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/hackney_portal",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/2",
    # One load balancer in front of the portal.
    "ALLAUTH_TRUSTED_PROXY_COUNT": "1",
    "VEHICLE_DATA_CLIENT": "dvla",
    "DVLA_VES_API_KEY": "an-api-key-from-the-dvla",
    "PAYMENTS_CLIENT": "govuk_pay",
    "GOVUK_PAY_API_KEY": "api_live_a-key-from-gov-uk-pay",
    # A made-up key in Notify's shape: name, service id, secret.
    "NOTIFY_API_KEY": "portal_live-26785a09-ab16-4eb0-8407-a37497a57506"
    "-3d844edf-8d35-48ac-975b-e847b4f122b0",
    "NOTIFY_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # As a deployment would run: none of the test run's own settings leak in.
    leaked = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    clean = {k: v for k, v in os.environ.items() if k not in leaked}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_is_off_when_django_debug_is_not_set():
    # Only what production needs to start, and no DJANGO_DEBUG: a deploy that forgot it.
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_DEBUG"}
    env["PATH"] = os.environ["PATH"]
    result = subprocess.run(
        [sys.executable, "-c", "import hackney_portal.settings as s; print(s.DEBUG)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "False"), result.stderr


def test_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "at least 50 characters"),
        (
            {"SECRET_KEY": "demo-only-insecure-key-never-use-in-production"},
            "at least 50 characters",
        ),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set"),
        ({"REDIS_URL": ""}, "REDIS_URL must be set"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be true or false"),
        ({"DATABASE_URL": "mysql://root@localhost/portal"}, "must be a postgres"),
        ({"SYNC_MAX_VANISHED_FRACTION": "5"}, "fraction between 0 and 1"),
        ({"SYNC_MAX_REJECTED_FRACTION": "lots"}, "SYNC_MAX_REJECTED_FRACTION"),
        ({"CELERY_VISIBILITY_TIMEOUT": "60"}, "CELERY_VISIBILITY_TIMEOUT must be longer"),
        ({"VEHICLE_DATA_CLIENT": ""}, "VEHICLE_DATA_CLIENT must be set when DJANGO_DEBUG is off"),
        ({"VEHICLE_DATA_CLIENT": "ves"}, "VEHICLE_DATA_CLIENT must be local or dvla, not 'ves'"),
        ({"DVLA_VES_API_KEY": ""}, "DVLA_VES_API_KEY must be set when VEHICLE_DATA_CLIENT is dvla"),
        ({"DVLA_VES_URL": "http://dvla.example"}, "DVLA_VES_URL must be an https:// URL"),
        ({"PAYMENTS_CLIENT": ""}, "PAYMENTS_CLIENT must be set when DJANGO_DEBUG is off"),
        ({"PAYMENTS_CLIENT": "stripe"}, "PAYMENTS_CLIENT must be local or govuk_pay, not 'stripe'"),
        (
            {"GOVUK_PAY_API_KEY": ""},
            "GOVUK_PAY_API_KEY must be set when PAYMENTS_CLIENT is govuk_pay",
        ),
        ({"GOVUK_PAY_URL": "http://pay.example"}, "GOVUK_PAY_URL must be an https:// URL"),
        ({"NOTIFY_API_KEY": ""}, "NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID must be set when"),
        ({"NOTIFY_API_KEY": "live-not-a-key"}, "NOTIFY_API_KEY is not a GOV.UK Notify API key"),
        ({"NOTIFY_TEMPLATE_ID": ""}, "NOTIFY_TEMPLATE_ID must be set to the id"),
        ({"NOTIFY_BASE_URL": "http://notify.example"}, "NOTIFY_BASE_URL must be an https:// URL"),
        ({"NOTIFY_READ_TIMEOUT": "30"}, "NOTIFICATIONS_SEND_TIME_LIMIT must be more than twice"),
        ({"NOTIFICATIONS_MAX_ATTEMPTS": "0"}, "NOTIFICATIONS_MAX_ATTEMPTS must be at least 1"),
        ({"RETENTION_DRAFT_DAYS": "0"}, "RETENTION_DRAFT_DAYS must be at least 1"),
        ({"RETENTION_AUDIT_LOG_MONTHS": "two years"}, "RETENTION_AUDIT_LOG_MONTHS must be a whole"),
    ],
)
def test_production_refuses_an_insecure_or_malformed_configuration(change, message):
    result = manage("check", **{**PRODUCTION, **change})
    assert result.returncode != 0
    assert message in result.stderr


def test_demo_sign_ins_are_refused_in_production_mode():
    result = manage("demo_users", **PRODUCTION)
    assert result.returncode != 0
    assert "only runs in demo mode" in result.stderr


def test_production_hashes_passwords_with_pbkdf2():
    # The test suite hashes with MD5 for speed (tests/conftest.py): production must not.
    code = (
        "from django.contrib.auth.hashers import get_hasher; h = get_hasher();"
        "print(h.algorithm, h.iterations)"
    )
    result = manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    algorithm, iterations = result.stdout.splitlines()[-1].split()
    # OWASP's Password Storage Cheat Sheet: PBKDF2-HMAC-SHA256 at 600,000 iterations or more.
    assert (algorithm, int(iterations) >= 600_000) == ("pbkdf2_sha256", True)


def test_production_mode_sets_the_security_headers_settings():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_PROXY_SSL_HEADER[0])"
    )
    result = manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "True",
        "True",
        "True",
        "True",
        "HTTP_X_FORWARDED_PROTO",
    ]
