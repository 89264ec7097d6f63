"""Settings for the Hackney resident portal.

Everything that differs between the demo, the test suite and production comes from the
environment (see `.env.example`). DEBUG is off unless `DJANGO_DEBUG=true`. With that alone set
the portal runs in *demo mode*: SQLite under `var/`, Celery tasks run eagerly in-process, a
local-memory cache and emails on the console.
"""

import re
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent

# environ's typed readers raise ImproperlyConfigured on malformed values (e.g. DJANGO_DEBUG=maybe).
env = environ.Env()


def _bool(name: str, default: bool) -> bool:
    """A strict boolean: django-environ treats any unknown word as False, we refuse it."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def _fraction(name: str, default: float) -> float:
    value = env.float(name, default=default)
    if not 0 <= value <= 1:
        raise ImproperlyConfigured(f"{name} must be a fraction between 0 and 1, not {value}.")
    return value


def _count(name: str, default: int) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number, 0 or more, not {raw!r}.")
    return value


def _seconds(name: str, default: float) -> float:
    value = env.float(name, default=default)
    if not value > 0:
        raise ImproperlyConfigured(f"{name} must be a number of seconds above 0, not {value}.")
    return value


# Off unless asked for: a deploy that forgets DJANGO_DEBUG must not serve tracebacks. The demo,
# the test suite and the Makefile's demo targets turn it on themselves.
DEBUG = _bool("DJANGO_DEBUG", default=False)


def _client(name: str, *, real: str, real_means: str, local_means: str) -> str:
    """Which client an outside service is reached through: `real`, or "local" (made up: no
    network, no money). Never local by default with DEBUG off: a forgotten setting must not
    decide a resident's case, or take their money, with pretend data."""
    value = env.str(name, default="").strip().lower()
    if not value:
        if not DEBUG:
            raise ImproperlyConfigured(
                f"{name} must be set when DJANGO_DEBUG is off: {real} for {real_means} "
                f"(or local, for {local_means})."
            )
        value = "local"
    if value not in {"local", real}:
        raise ImproperlyConfigured(f"{name} must be local or {real}, not {value!r}.")
    return value


def _api_access(
    client_setting: str, client: str, *, real: str, url: tuple[str, str], key: str
) -> tuple[str, str]:
    """The outside service's base URL and API key; with DEBUG off and the real client, a key
    must be set and the URL must be https (it carries the key)."""
    url_setting, default_url = url
    base_url = env.str(url_setting, default=default_url).rstrip("/")
    api_key = env.str(key, default="")
    if client == real and not DEBUG:
        if not api_key:
            raise ImproperlyConfigured(
                f"{key} must be set when {client_setting} is {real} and DJANGO_DEBUG is off."
            )
        if not base_url.startswith("https://"):
            raise ImproperlyConfigured(
                f"{url_setting} must be an https:// URL: it carries the API key."
            )
    return base_url, api_key


# Demo secret only ever used with DEBUG on; production must bring its own.
_DEMO_SECRET_KEY = "demo-only-insecure-key-never-use-in-production"  # noqa: S105  # nosec B105
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = _DEMO_SECRET_KEY
elif not DEBUG and (SECRET_KEY == _DEMO_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be a random value of at least 50 characters when DJANGO_DEBUG is off."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEMO_MODE = not env.str("DATABASE_URL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_celery_beat",
    "csp",
    "hackney_portal",
    "accounts",
    "records",
    "parking",
    "balances",
    "casework",
    "insights",
    "notifications",
    "personal_data",
]

MIDDLEWARE = [
    # First: the request id and the request's log line cover everything below.
    "hackney_portal.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "hackney_portal.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the body: a body over its view's limit is never read.
    "hackney_portal.uploads.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "hackney_portal.middleware.AccountsCacheDownMiddleware",
    "accounts.middleware.StaffIdleTimeoutMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
]

ROOT_URLCONF = "hackney_portal.urls"
WSGI_APPLICATION = "hackney_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "hackney_portal.context_processors.portal",
                "insights.context_processors.insights",
                "personal_data.context_processors.personal_data",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
if DEMO_MODE:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "demo.sqlite3",
            # Celery tasks run in-process in the demo; WAL lets readers work during a sync.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20},
        }
    }
else:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL.")
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (allauth's rate limits need a cache shared by every web process) --------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            # Fail fast: a page must not hang because the cache is down.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    if not DEBUG:
        raise ImproperlyConfigured(
            "REDIS_URL must be set when DJANGO_DEBUG is off: rate limits need a shared cache."
        )
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # An eager task still borrows a producer from the broker's pool (Celery round-trips its
    # arguments through the serializer, as a queue would). With no URL kombu falls back to AMQP
    # and warns "No hostname was supplied" on every task; the in-memory transport, named with a
    # host, is never connected to and keeps the demo quiet. (CELERY_BROKER_URL stays empty: it
    # is what says there is no broker.)
    CELERY_BROKER_WRITE_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only when it has finished, and re-queued if its worker dies mid-way.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=50 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after the visibility timeout: it must be longer than
# the longest task and the longest countdown, or a slow task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60),
    "socket_connect_timeout": 5,
}
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT."
    )
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Celery queues by kind of work (docs/operations.md) ----------------------------------------
# Production runs a pool of workers for each queue, so that an hour-long records sync never
# delays a permit email or a refund. Every task of ours is named here on purpose
# (tests/test_queues.py fails on one that is not); anything else goes to "default". `make
# worker` and the test suite's workers consume every queue.
CELERY_TASK_DEFAULT_QUEUE = "default"
_QUEUE_OF = {
    # The records and council tax feeds' syncs, and the sweeps that look after them.
    "sync": [
        "records.tasks.sync_run_execute_task",
        "records.tasks.sync_inbox_task",
        "records.tasks.sync_runs_recover_task",
        "records.tasks.sync_runs_requeue_task",
    ],
    # Emails: residents' notifications and allauth's account emails, and the emails' sweep.
    "email": [
        "accounts.tasks.send_email",
        "notifications.tasks.notification_send_task",
        "notifications.tasks.notifications_requeue_stuck_task",
    ],
    # Money: payments checked with GOV.UK Pay, and refunds.
    "payments": [
        "parking.tasks.payment_refresh_task",
        "parking.tasks.payments_reconcile_task",
        "parking.tasks.refund_submit_task",
        "parking.tasks.refunds_requeue_stuck_task",
    ],
    # Short scheduled sweeps over permits and applications.
    "default": [
        "parking.tasks.applications_lapse_task",
        "parking.tasks.moves_lapse_task",
        "parking.tasks.applications_close_unproven_task",
        "parking.tasks.permits_remind_task",
        "parking.tasks.permits_check_moves_task",
        # Residents' downloads of their data, and the sweep over them.
        "personal_data.tasks.export_build_task",
        "personal_data.tasks.exports_sweep_task",
        # The daily retention run (docs/retention.md).
        "personal_data.tasks.retention_enforce_task",
    ],
}
# Declared, so that a worker started without -Q consumes every one, and purging clears them all.
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in _QUEUE_OF]
CELERY_TASK_ROUTES = {
    task: {"queue": queue} for queue, tasks in _QUEUE_OF.items() for task in tasks
}

# --- Accounts (django-allauth) ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "accounts.passwords.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# allauth's forms with messages that name what is wrong ("Enter your email address").
ACCOUNT_FORMS = {
    name: f"accounts.forms.{form}"
    # Pairs, not a dict: bandit's B105 reads a string under a key naming a password as one.
    for name, form in [
        ("login", "LoginForm"),
        ("signup", "SignupForm"),
        ("add_email", "AddEmailForm"),
        ("change_password", "ChangePasswordForm"),
        ("set_password", "SetPasswordForm"),
        ("reset_password", "ResetPasswordForm"),
        ("reset_password_from_key", "ResetPasswordKeyForm"),
        ("reauthenticate", "ReauthenticateForm"),
    ]
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
# Failed sign-ins. Per account: 5 in 5 minutes stops anyone guessing one person's password.
# Per address: a household, office or library shares one address, and nobody in it should be
# locked out by the others' typos; 100 in 10 minutes still stops one machine trying password
# after password across many accounts. The message tells people how long to wait, from these.
ACCOUNT_RATE_LIMITS = {"login_failed": "100/10m/ip,5/5m/key"}
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Many residents use shared or library computers: never keep them signed in past the browser.
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Hackney Council: "
# Tell people by email when their password, email address or authenticator app changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Hackney resident portal"
# Accept the code before and after the current one (RFC 6238's allowance for drift): phone
# clocks drift, and a code typed as it changes should not lock a person out.
MFA_TOTP_TOLERANCE = 1
MFA_FORMS = {
    "authenticate": "accounts.forms.MFAAuthenticateForm",
    "reauthenticate": "accounts.forms.MFAReauthenticateForm",
    "activate_totp": "accounts.forms.ActivateTOTPForm",
}
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
# A member of staff is signed out after this many seconds without a request (residents are not).
STAFF_IDLE_TIMEOUT = env.int("STAFF_IDLE_TIMEOUT", default=30 * 60)

# Rate limits count per client address, so allauth must know the address behind the load
# balancer. Without this every resident would share the proxy's address, and one person's
# failed sign-ins would count against everyone. Either the number of proxies we run that append
# to X-Forwarded-For (the right-most entries; anything further left can be forged), or a header
# our proxy sets to the client's address. Production must say which, even if it is 0.
ALLAUTH_TRUSTED_PROXY_COUNT = _count("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", default="") or None
if ALLAUTH_TRUSTED_PROXY_COUNT and ALLAUTH_TRUSTED_CLIENT_IP_HEADER:
    raise ImproperlyConfigured(
        "Set ALLAUTH_TRUSTED_PROXY_COUNT or ALLAUTH_TRUSTED_CLIENT_IP_HEADER, not both."
    )
if not DEBUG and not (
    env.str("ALLAUTH_TRUSTED_PROXY_COUNT", default="") or ALLAUTH_TRUSTED_CLIENT_IP_HEADER
):
    raise ImproperlyConfigured(
        "ALLAUTH_TRUSTED_PROXY_COUNT or ALLAUTH_TRUSTED_CLIENT_IP_HEADER must be set when "
        "DJANGO_DEBUG is off: sign-in limits count per client address, behind the proxy."
    )

# --- Email -----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Hackney Council <no-reply@hackney.gov.uk>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)

# --- Emails to residents (notifications/) ---------------------------------------------------
# With NOTIFY_API_KEY set, residents' emails go through GOV.UK Notify (one generic email template
# whose subject is ((subject)) and body ((body)): NOTIFY_TEMPLATE_ID); without it, through
# Django's email backend above (the console in the demo). Production must use Notify.
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="").strip()
NOTIFY_TEMPLATE_ID = env.str("NOTIFY_TEMPLATE_ID", default="").strip().lower()
NOTIFY_BASE_URL = env.str(
    "NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk"
).rstrip("/")
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
if not NOTIFY_API_KEY and not DEBUG:
    raise ImproperlyConfigured(
        "NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID must be set when DJANGO_DEBUG is off: residents' "
        "emails go through GOV.UK Notify."
    )
if NOTIFY_API_KEY:
    # Checked here (never echoed: it is a secret) so a mistyped key stops the start, not an email.
    if not re.fullmatch(rf".+-{_UUID}-{_UUID}", NOTIFY_API_KEY, re.IGNORECASE):
        raise ImproperlyConfigured(
            "NOTIFY_API_KEY is not a GOV.UK Notify API key: its name, then the service id and "
            "the secret key (two UUIDs), joined by hyphens."
        )
    if not re.fullmatch(_UUID, NOTIFY_TEMPLATE_ID):
        raise ImproperlyConfigured(
            "NOTIFY_TEMPLATE_ID must be set to the id (a UUID) of the Notify email template "
            "whose subject is ((subject)) and body ((body)) when NOTIFY_API_KEY is set."
        )
    if not DEBUG and not NOTIFY_BASE_URL.startswith("https://"):
        raise ImproperlyConfigured("NOTIFY_BASE_URL must be an https:// URL: it carries the key.")
NOTIFY_CONNECT_TIMEOUT = _seconds("NOTIFY_CONNECT_TIMEOUT", 5.0)
NOTIFY_READ_TIMEOUT = _seconds("NOTIFY_READ_TIMEOUT", 10.0)
# A send attempt that runs longer than this many seconds is stopped (and is settled by the next
# attempt asking Notify). It must leave room for a look-up and a send with their timeouts, and
# stay under the 5 minutes a worker holds a claimed email (notifications.services.SEND_LEASE).
NOTIFICATIONS_SEND_TIME_LIMIT = _count("NOTIFICATIONS_SEND_TIME_LIMIT", 60)
if not 2 * (NOTIFY_CONNECT_TIMEOUT + NOTIFY_READ_TIMEOUT) + 10 < NOTIFICATIONS_SEND_TIME_LIMIT:
    raise ImproperlyConfigured(
        "NOTIFICATIONS_SEND_TIME_LIMIT must be more than twice NOTIFY_CONNECT_TIMEOUT plus "
        "NOTIFY_READ_TIMEOUT, plus 10 seconds: an attempt may look an email up, then send it."
    )
if NOTIFICATIONS_SEND_TIME_LIMIT > 240:
    raise ImproperlyConfigured("NOTIFICATIONS_SEND_TIME_LIMIT must be at most 240 seconds.")
# A failed send worth retrying (5xx, 429, a timeout) is tried again after
# NOTIFICATIONS_RETRY_BACKOFF seconds, doubling, until NOTIFICATIONS_MAX_ATTEMPTS attempts.
NOTIFICATIONS_MAX_ATTEMPTS = _count("NOTIFICATIONS_MAX_ATTEMPTS", 5)
if NOTIFICATIONS_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured("NOTIFICATIONS_MAX_ATTEMPTS must be at least 1.")
NOTIFICATIONS_RETRY_BACKOFF = _seconds("NOTIFICATIONS_RETRY_BACKOFF", 60.0)
# An email still waiting this many seconds after it was due lost its task and is queued again.
NOTIFICATIONS_REQUEUE_AFTER = _count("NOTIFICATIONS_REQUEUE_AFTER", 5 * 60)

# --- Internationalisation and time ----------------------------------------------------------
LANGUAGE_CODE = "en-gb"
# Our en_GB wording for allauth's pages (sentence case, plain English) wins over allauth's own.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files (built by `make assets` into static/build, served by whitenoise) -------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static" / "build"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded and synced feed files. Every web and worker process must see the same storage.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))

# --- Security headers ------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    # The portal runs behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preload off unless decided: the preload list is for a whole registrable domain
    # (hackney.gov.uk), asked for by whoever runs it, and hard to leave; a service on one
    # subdomain must not claim it (docs/security.md).
    SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # check --deploy's "not preloaded" warning: off on purpose, as above.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Strict CSP: everything from our own origin, scripts only with a per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # allauth's authenticator-app QR code is an inline SVG data URI.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        # No page sets a <base>: none may (OWASP ASVS 5.0 V3.4.3).
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# --- Records sync (used by the records pipeline) ---------------------------------------------
SYNC_MAX_VANISHED_FRACTION = _fraction("SYNC_MAX_VANISHED_FRACTION", 0.05)
SYNC_MAX_REJECTED_FRACTION = _fraction("SYNC_MAX_REJECTED_FRACTION", 0.02)
SYNC_INBOX_DIR = env.path("SYNC_INBOX_DIR", default=str(BASE_DIR / "var" / "inbox"))
# On PostgreSQL, check feeds with set-based SQL (fast); off reads every file row by row in Python.
SYNC_SET_BASED = _bool("SYNC_SET_BASED", True)
# A run still queued this many seconds after it was queued lost its task and is queued again.
SYNC_REQUEUE_AFTER = _count("SYNC_REQUEUE_AFTER", 2 * 60)

# --- Parking: vehicle data (parking/clients/vehicles.py) ---------------------------------------
# "local" makes up vehicles from the registration, with no network (the demo, and tests of other
# code); "dvla" asks the DVLA Vehicle Enquiry Service.
VEHICLE_DATA_CLIENT = _client(
    "VEHICLE_DATA_CLIENT",
    real="dvla",
    real_means="the DVLA Vehicle Enquiry Service",
    local_means="a test environment with made-up vehicles",
)
DVLA_VES_URL, DVLA_VES_API_KEY = _api_access(
    "VEHICLE_DATA_CLIENT",
    VEHICLE_DATA_CLIENT,
    real="dvla",
    url=("DVLA_VES_URL", "https://driver-vehicle-licensing.api.gov.uk"),
    key="DVLA_VES_API_KEY",
)


# One lookup makes at most DVLA_VES_ATTEMPTS requests, all within DVLA_VES_TIME_LIMIT seconds:
# 429 and 5xx are retried after DVLA_VES_BACKOFF seconds, doubling each time.
DVLA_VES_CONNECT_TIMEOUT = _seconds("DVLA_VES_CONNECT_TIMEOUT", 2.0)
DVLA_VES_READ_TIMEOUT = _seconds("DVLA_VES_READ_TIMEOUT", 3.0)
DVLA_VES_TIME_LIMIT = _seconds("DVLA_VES_TIME_LIMIT", 5.0)
DVLA_VES_BACKOFF = _seconds("DVLA_VES_BACKOFF", 0.5)
DVLA_VES_ATTEMPTS = _count("DVLA_VES_ATTEMPTS", 3)
if DVLA_VES_ATTEMPTS < 1:
    raise ImproperlyConfigured("DVLA_VES_ATTEMPTS must be at least 1.")
# How long answers are cached: a found vehicle for a day; "not found" briefly, as a newly
# registered vehicle can appear at DVLA soon after. Failures are never cached.
VEHICLE_CACHE_SECONDS = _count("VEHICLE_CACHE_SECONDS", 24 * 60 * 60)
VEHICLE_NOT_FOUND_CACHE_SECONDS = _count("VEHICLE_NOT_FOUND_CACHE_SECONDS", 15 * 60)

# --- Parking: payments (parking/clients/payments.py) -------------------------------------------
# "local" is the portal's own payment page, which takes test card numbers and no money (the demo,
# and tests of other code); "govuk_pay" takes real payments through GOV.UK Pay.
PAYMENTS_CLIENT = _client(
    "PAYMENTS_CLIENT",
    real="govuk_pay",
    real_means="GOV.UK Pay",
    local_means="a test environment that takes no money",
)
GOVUK_PAY_URL, GOVUK_PAY_API_KEY = _api_access(
    "PAYMENTS_CLIENT",
    PAYMENTS_CLIENT,
    real="govuk_pay",
    url=("GOVUK_PAY_URL", "https://publicapi.payments.service.gov.uk"),
    key="GOVUK_PAY_API_KEY",
)
GOVUK_PAY_CONNECT_TIMEOUT = _seconds("GOVUK_PAY_CONNECT_TIMEOUT", 3.0)
GOVUK_PAY_READ_TIMEOUT = _seconds("GOVUK_PAY_READ_TIMEOUT", 10.0)
# An approved application left unpaid this many hours lapses (the resident can apply again).
PERMIT_PAYMENT_WINDOW_HOURS = _count("PERMIT_PAYMENT_WINDOW_HOURS", 24)
# A refund still pending this many seconds after its last attempt lost its task and is sent
# again. Longer than the 15 minutes the refund task waits between attempts, so a refund whose
# task is still retrying is left to it.
REFUNDS_REQUEUE_AFTER = _count("REFUNDS_REQUEUE_AFTER", 20 * 60)
# An application waiting for proof that none has been sent for this many days is closed (the
# resident can apply again), after a reminder PERMIT_PROOF_REMINDER_DAYS before: it must not
# wait for ever, and a resident is never closed without that much notice.
PERMIT_PROOF_WAIT_DAYS = _count("PERMIT_PROOF_WAIT_DAYS", 28)
PERMIT_PROOF_REMINDER_DAYS = _count("PERMIT_PROOF_REMINDER_DAYS", 7)
if not 1 <= PERMIT_PROOF_REMINDER_DAYS < PERMIT_PROOF_WAIT_DAYS:
    raise ImproperlyConfigured(
        "PERMIT_PROOF_REMINDER_DAYS must be at least 1 and less than PERMIT_PROOF_WAIT_DAYS."
    )

# --- Parking: eligibility (parking/eligibility.py) -----------------------------------------------
# At most this many resident permits (live, or approved and waiting for payment) at one address.
PERMITS_PER_HOUSEHOLD = _count("PERMITS_PER_HOUSEHOLD", 3)
if PERMITS_PER_HOUSEHOLD < 1:
    raise ImproperlyConfigured("PERMITS_PER_HOUSEHOLD must be at least 1.")
# A resident may send at most this many applications of their own in 24 hours: each decision
# says whether the name and date of birth given match someone at the address, which must not
# become a way to look people up (assisted applications and renewals are not counted). The demo
# allows more by default, so that a newcomer can try every path of the README in one sitting.
PERMIT_APPLICATIONS_PER_DAY = _count("PERMIT_APPLICATIONS_PER_DAY", 50 if DEMO_MODE else 5)
if PERMIT_APPLICATIONS_PER_DAY < 1:
    raise ImproperlyConfigured("PERMIT_APPLICATIONS_PER_DAY must be at least 1.")
# Records synced longer ago than this many days decide nothing: a person checks the application.
RECORDS_MAX_AGE_DAYS = _count("RECORDS_MAX_AGE_DAYS", 7)

# --- Request size (hackney_portal/uploads.py) --------------------------------------------------
# The largest request body any page takes, in bytes, unless the page takes files: checked
# against Content-Length before the body is read. The forms' own fields stay within Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
REQUEST_MAX_BYTES = _count("REQUEST_MAX_BYTES", 3 * 1024 * 1024)
# The largest record feed a records administrator may upload at /staff/records/upload/ (a
# people feed for the whole borough is about 30 MB).
FEED_UPLOAD_MAX_BYTES = _count("FEED_UPLOAD_MAX_BYTES", 512 * 1024 * 1024)
if min(REQUEST_MAX_BYTES, FEED_UPLOAD_MAX_BYTES) < 1024 * 1024:
    raise ImproperlyConfigured("REQUEST_MAX_BYTES and FEED_UPLOAD_MAX_BYTES must be at least 1 MB.")

# --- Your data: the download (personal_data/exports.py) -----------------------------------------
# A download whose proof files come to more than this many bytes is made by a worker and its
# link emailed; a smaller one is handed over at once (default 5 MB).
EXPORT_INLINE_MAX_BYTES = _count("EXPORT_INLINE_MAX_BYTES", 5 * 1024 * 1024)
# An emailed link works once, for this many days (default 7).
EXPORT_LINK_DAYS = _count("EXPORT_LINK_DAYS", 7)
if EXPORT_LINK_DAYS < 1:
    raise ImproperlyConfigured("EXPORT_LINK_DAYS must be at least 1.")
# The emailed link that closes a resident's account works for this many hours (default 24).
ACCOUNT_CLOSE_LINK_HOURS = _count("ACCOUNT_CLOSE_LINK_HOURS", 24)
if ACCOUNT_CLOSE_LINK_HOURS < 1:
    raise ImproperlyConfigured("ACCOUNT_CLOSE_LINK_HOURS must be at least 1.")

# --- Parking: evidence (parking/evidence.py) -----------------------------------------------------
# The largest proof file a resident may upload, in bytes (default 10 MB). Files are kept in the
# default storage under MEDIA_ROOT, which no URL serves: only the owner's download view reads them.
EVIDENCE_MAX_BYTES = _count("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
if EVIDENCE_MAX_BYTES < 1:
    raise ImproperlyConfigured("EVIDENCE_MAX_BYTES must be at least 1.")
# Once proof is in, a parking officer checks it within this many working days (Monday to
# Friday): the resident's application page and acknowledgement email promise it. It sets no
# deadline in the code; the review queue puts applications with proof first, oldest proof first.
PERMIT_EVIDENCE_REVIEW_DAYS = _count("PERMIT_EVIDENCE_REVIEW_DAYS", 5)
if PERMIT_EVIDENCE_REVIEW_DAYS < 1:
    raise ImproperlyConfigured("PERMIT_EVIDENCE_REVIEW_DAYS must be at least 1.")

# --- Logging (hackney_portal/logs.py, docs/operations.md) -----------------------------------
# json: one JSON object a line, for the council's log platform (the default with DEBUG off);
# plain: lines for a person at a terminal (the default in the demo and development).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}.")
# --- Retention (docs/retention.md) ----------------------------------------------------------
# How long each kind of data is kept: the council's records manager's to confirm and change.
# The daily task personal_data.tasks.retention_enforce_task deletes or anonymises what is past
# it (personal_data/retention.py), as does `manage.py retention_enforce [--dry-run]`.
RETENTION_BATCH_SIZE = _count("RETENTION_BATCH_SIZE", 1000)  # rows a transaction
# Permit applications never sent, from their last change.
RETENTION_DRAFT_DAYS = _count("RETENTION_DRAFT_DAYS", 30)
# Proof files, from the application's decision (or its withdrawal or closing).
RETENTION_EVIDENCE_DAYS = _count("RETENTION_EVIDENCE_DAYS", 183)
# Refused, lapsed, withdrawn and closed applications, from when they ended that way.
RETENTION_CLOSED_APPLICATION_DAYS = _count("RETENTION_CLOSED_APPLICATION_DAYS", 2 * 365)
# Permits, payments and refunds: whole years after the end of the financial year (April to
# March) in which the permit ended or the payment was made (Limitation Act 1980, HMRC).
RETENTION_PAYMENT_YEARS = _count("RETENTION_PAYMENT_YEARS", 6)
# Attempts to link a council tax account, from the attempt.
RETENTION_LINK_ATTEMPT_DAYS = _count("RETENTION_LINK_ATTEMPT_DAYS", 365)
# Emails to residents, from when they were queued.
RETENTION_NOTIFICATION_DAYS = _count("RETENTION_NOTIFICATION_DAYS", 2 * 365)
# The record of each "Download all your data" (its file goes within days: EXPORT_LINK_DAYS),
# from when it was asked for.
RETENTION_DATA_EXPORT_DAYS = _count("RETENTION_DATA_EXPORT_DAYS", 2 * 365)
# Record feed files (stored uploads and the inbox's processed/ and failed/), from the run's end.
RETENTION_SYNC_FILE_DAYS = _count("RETENTION_SYNC_FILE_DAYS", 90)
# The access audit log, in whole months from the end of an entry's month (UTC).
RETENTION_AUDIT_LOG_MONTHS = _count("RETENTION_AUDIT_LOG_MONTHS", 24)
# The audit log's monthly partitions made ahead of time, after this month's.
AUDIT_LOG_PARTITIONS_AHEAD = _count("AUDIT_LOG_PARTITIONS_AHEAD", 3)
for _name, _value in {
    "RETENTION_BATCH_SIZE": RETENTION_BATCH_SIZE,
    "RETENTION_DRAFT_DAYS": RETENTION_DRAFT_DAYS,
    "RETENTION_EVIDENCE_DAYS": RETENTION_EVIDENCE_DAYS,
    "RETENTION_CLOSED_APPLICATION_DAYS": RETENTION_CLOSED_APPLICATION_DAYS,
    "RETENTION_PAYMENT_YEARS": RETENTION_PAYMENT_YEARS,
    "RETENTION_LINK_ATTEMPT_DAYS": RETENTION_LINK_ATTEMPT_DAYS,
    "RETENTION_NOTIFICATION_DAYS": RETENTION_NOTIFICATION_DAYS,
    "RETENTION_DATA_EXPORT_DAYS": RETENTION_DATA_EXPORT_DAYS,
    "RETENTION_SYNC_FILE_DAYS": RETENTION_SYNC_FILE_DAYS,
    "RETENTION_AUDIT_LOG_MONTHS": RETENTION_AUDIT_LOG_MONTHS,
}.items():
    if _value < 1:  # a period of 0 would delete today's data
        raise ImproperlyConfigured(f"{_name} must be at least 1.")

# --- Logging ---------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "hackney_portal.logs.RequestIdFilter"},
        "request_path": {"()": "hackney_portal.logs.RequestPathFilter"},
        "without_exception": {"()": "hackney_portal.logs.WithoutException"},
        "no_queries": {"()": "hackney_portal.logs.NoQueries"},
    },
    "formatters": {
        "plain": {"()": "hackney_portal.logs.PlainFormatter"},
        "json": {"()": "hackney_portal.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # SQL with its values (residents' details), at DEBUG: never logged, whatever the level.
        "django.db.backends": {"level": "WARNING", "filters": ["no_queries"]},
        # A missing template variable's exception holds the whole context.
        "django.template": {"filters": ["without_exception"]},
        # Django writes the path as requested on 4xx/5xx and refused CSRF checks.
        "django.request": {"filters": ["request_path"]},
        "django.security.csrf": {"filters": ["request_path"]},
    },
}
