"""Logs an operator can follow (docs/operations.md): every line carries the id of the request
that caused it, carried into the Celery tasks the request enqueues; one line per request;
JSON lines in production (LOG_FORMAT); and no line holds what a resident typed.

Paths are logged as their URL pattern ("/council-tax/<account_ref>/"), never as requested: a
path can hold an account number, a vehicle registration or a password reset key."""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

# The request (or, in a worker, the task) being served; None outside both.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# What we accept from the load balancer's X-Request-ID (nginx's $request_id, a UUID): anything
# else is not printed (it could forge a log line), a new id is made instead.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


def request_id_from(value: object) -> str:
    """The given id when it is safe to print and short; a new one (uuid4 hex) otherwise."""
    if isinstance(value, str) and _ACCEPTED_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def forget_request_id(**kwargs) -> None:
    """When a response is closed (Django's request_finished): the request is over."""
    request_id.set(None)


class RequestIdFilter(logging.Filter):
    """On the handlers: every record they write carries the current request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        return True


# --- Paths without what was typed into them ---------------------------------------------------


def _named_groups_to_names(route: str) -> str:
    """`(?P<account_ref>3\\d{7})` -> `<account_ref>`, whatever the group's pattern holds."""
    out, i = [], 0
    while i < len(route):
        if not route.startswith("(?P<", i):
            out.append(route[i])
            i += 1
            continue
        name = route[i + 4 : route.index(">", i)]
        depth, j = 0, i
        while j < len(route):
            if route[j] == "\\":
                j += 2
                continue
            depth += {"(": 1, ")": -1}.get(route[j], 0)
            if depth == 0:
                break
            j += 1
        out.append(f"<{name}>")
        i = j + 1
    return "".join(out)


def route_template(route: str) -> str:
    """A resolved URL pattern as a path: `<str:number>` -> `<number>`, regex anchors and
    escapes dropped. It comes from the URLconf, so it holds nothing a request sent."""
    template = _named_groups_to_names(route)
    template = re.sub(r"<\w+:(\w+)>", r"<\1>", template)
    template = re.sub(r"\\(.)", r"\1", template.replace("^", "").replace("$", ""))
    return "/" + template


def loggable_path(request) -> str | None:
    """The request's path as its URL pattern; None when no pattern matched (a 404 by the
    resolver), since the path itself could then hold anything."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    return route_template(match.route)


class RequestPathFilter(logging.Filter):
    """On Django's `django.request` and `django.security.csrf` loggers, which write the path as
    requested ("Not Found: /council-tax/31234567/"): the pattern takes its place. On the
    loggers, not a handler, so that every handler (and a test's capture) gets it."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple):
            shown = loggable_path(request) or "(a path no URL pattern matched)"
            record.args = tuple(shown if arg == path else arg for arg in record.args)
        return True


class WithoutException(logging.Filter):
    """On `django.template`, whose DEBUG lines on a missing variable carry an exception whose
    text is the whole template context (the user's email address, the resident's answers):
    the line ("Exception while resolving variable 'x' in template 'y'") is kept, the
    exception dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        return True


class NoQueries(logging.Filter):
    """On `django.db.backends`: its DEBUG lines are the SQL with the values in it (names,
    postcodes, account numbers), logged when DEBUG is on or queries are being counted. Its
    warnings and errors are kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


# --- Formatters -------------------------------------------------------------------------------

# Extra fields a line may carry (the request line's); any other `extra` is left out, since
# libraries put arguments there (Celery logs a failed task's args and kwargs as `data`).
REQUEST_FIELDS = ("method", "path", "view", "status", "duration_ms", "user_id")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request_id, the request
    line's fields when it is one, and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        entry.update({f: getattr(record, f) for f in REQUEST_FIELDS if hasattr(record, f)})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """The demo's and development's lines: time, level, logger, request id (or -), message."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id_shown)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id_shown = getattr(record, "request_id", None) or "-"
        return super().format(record)
