"""Catching log records as the portal's own handler sees them: with the request id its filter
adds (hackney_portal/logs.py), from any thread (a worker thread's records too)."""

import contextlib
import io
import logging

from django.db import connection

from hackney_portal.logs import JsonFormatter, PlainFormatter, RequestIdFilter


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


@contextlib.contextmanager
def records_of(name: str, level: int = logging.INFO):
    """The records logger `name` (and those below it) writes at `level` or above meanwhile."""
    logger = logging.getLogger(name)
    handler, previous = Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


class EveryFormat(logging.Formatter):
    """Each record as both formats write it (LOG_FORMAT json and plain)."""

    json, plain = JsonFormatter(), PlainFormatter()

    def format(self, record):
        return self.json.format(record) + "\n" + self.plain.format(record)


@contextlib.contextmanager
def every_log_line():
    """Every logger at DEBUG, SQL logged as with DEBUG on, every line written in both formats
    into one text (read it with the yielded function); all put back afterwards."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(EveryFormat())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    loggers = [root, *(
        logger for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    )]  # fmt: skip
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    # Loggers that do not pass their records up (runserver's, for one) are caught where they are.
    caught = [root, *(logger for logger in loggers if not logger.propagate)]
    for logger in caught:
        logger.addHandler(handler)
    previous_debug_cursor = connection.force_debug_cursor
    connection.force_debug_cursor = True  # Django logs every query, as with DEBUG on
    try:
        yield stream.getvalue
    finally:
        connection.force_debug_cursor = previous_debug_cursor
        for logger in caught:
            logger.removeHandler(handler)
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled
