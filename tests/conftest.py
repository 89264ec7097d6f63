"""Fixtures for every test: personas, Celery (eager by default, a real worker on request),
and the browser (Playwright driving Debian's Chromium) with an axe-core accessibility check."""

import contextlib
import os
import threading
import time
import weakref
from pathlib import Path

import pytest
from celery.signals import task_postrun
from django.core.cache import cache
from django.db import connections

from hackney_portal.celery import app as celery_app
from tests.browser import PHONE
from tests.factories import UserFactory, make_staff

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run in a
# thread with a running loop unless told it is safe, which it is here (one thread, no awaits).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# --- Isolation ------------------------------------------------------------------------------

# Django keeps a connection per thread *and* per context (contextvars). After the browser tests
# the main thread has been seen using a second context's connection, which Django's teardown
# does not know about: left open, it stops the test database being dropped. Every connection
# object made is noted here, and those of the main thread are closed at the end.
_made = weakref.WeakSet()
_create_connection = type(connections).create_connection


def _create_noted_connection(self, alias):
    wrapper = _create_connection(self, alias)
    _made.add(wrapper)
    return wrapper


type(connections).create_connection = _create_noted_connection


@pytest.fixture(scope="session", autouse=True)
def _close_every_connection_at_the_end(django_db_setup):
    yield
    for wrapper in list(_made):
        if wrapper._thread_ident == threading.get_ident():
            wrapper.close()


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing():
    """The suite makes and signs in thousands of users: production's deliberately slow hasher
    (Django's PBKDF2, about a second a password here) cost minutes of every run. What is
    tested is who may sign in, not Django's hashing."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters and used TOTP codes live in the cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process unless a test asks for the real worker (`celery_worker`)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


# --- Personas -------------------------------------------------------------------------------


@pytest.fixture
def resident(db):
    return UserFactory(email="zoe.obrien@example.com")


@pytest.fixture
def other_resident(db):
    return UserFactory(email="kwame.mensah-smith@example.com")


@pytest.fixture
def agent(db):
    return make_staff("contact_centre_agent")


@pytest.fixture
def parking_officer(db):
    return make_staff("parking_officer")


@pytest.fixture
def revenues_officer(db):
    return make_staff("revenues_officer")


@pytest.fixture
def records_admin(db):
    return make_staff("records_admin")


# --- A real Celery worker -------------------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db):
    """A real worker thread consuming from the real Redis broker. Needs a transactional
    database: the worker's thread has its own connection and cannot see an open test
    transaction."""
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.fail("celery_worker needs CELERY_BROKER_URL (make test sets it)")
    celery_app.control.purge()  # nothing left over from an earlier run
    with real_worker() as worker:
        yield worker


@contextlib.contextmanager
def real_worker():
    """A worker thread consuming from the broker celery_app is configured with now."""
    from celery.contrib.testing.worker import start_worker

    celery_app.loader.import_module("celery.contrib.testing.tasks")
    celery_app.conf.task_always_eager = False
    # The worker thread's database connection must not outlive the test (it would stop the
    # test database from being dropped): close it after every task, as a worker process would.
    task_postrun.connect(_close_thread_connections, dispatch_uid="tests.close_connections")
    try:
        with start_worker(
            celery_app,
            queues=every_queue(),  # every kind of work, as `make worker` does by default
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            loglevel="WARNING",
        ) as worker:
            yield worker
    finally:
        task_postrun.disconnect(dispatch_uid="tests.close_connections")
        celery_app.conf.task_always_eager = True


def every_queue() -> list[str]:
    """The queues by kind of work (settings.CELERY_TASK_QUEUES): a test worker takes them all."""
    return [queue.name for queue in celery_app.conf.task_queues]


def _close_thread_connections(**kwargs):
    connections.close_all()


def wait_for(condition, *, timeout: float = 15.0, interval: float = 0.05, message: str = ""):
    """Poll until condition() is truthy; fail with message after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(message or f"condition not met within {timeout}s")


# --- The browser ----------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, **context_options)
    page = context.new_page()
    page.console_problems = []
    # CSP violations and script errors show up on the console: a page must have none.
    page.on(
        "console",
        lambda msg: page.console_problems.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: page.console_problems.append(str(exc)))
    return context, page


@pytest.fixture
def page(browser, live_server):
    context, page = _new_page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, live_server):
    context, page = _new_page(browser, live_server, java_script_enabled=False)
    yield page
    context.close()


# --- Guardrail: every template of ours is rendered by some test ----------------------------

_rendered: set[str] = set()
_ran: set[str] = set()  # node ids of the tests that ran (or were skipped) in this session
_deselected: list[str] = []


def _remember_template(sender, template, context, **kwargs):
    if template.origin and template.origin.template_name:
        _rendered.add(template.origin.template_name)


def pytest_sessionstart(session):
    from django.test.signals import template_rendered

    template_rendered.connect(_remember_template, dispatch_uid="tests.rendered")


def pytest_deselected(items):
    _deselected.extend(item.nodeid for item in items)


def pytest_runtest_logreport(report):
    if report.when == "call" or report.skipped:
        _ran.add(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """On a full run that ran every test, fail if a template under templates/ was never
    rendered: an untested template is where a broken page hides. A run narrowed (-k, -m, --lf,
    --deselect, paths) or one that ran no tests (--collect-only, --setup-only) judges nothing."""
    options = session.config.option
    narrowed = options.keyword or options.markexpr or getattr(options, "lf", False)
    narrowed = narrowed or _deselected or session.config.args != ["tests"]
    ran_every_test = session.testscollected > 0 and len(_ran) == session.testscollected
    if exitstatus != 0 or narrowed or options.collectonly or not ran_every_test:
        return
    root = Path(__file__).resolve().parent.parent / "templates"
    ours = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    never = sorted(ours - _rendered)
    if never:
        session.config.get_terminal_writer().line(
            "Templates no test rendered: " + ", ".join(never), red=True
        )
        session.exitstatus = 1
