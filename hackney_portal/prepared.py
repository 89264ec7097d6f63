"""Prepared statements on PostgreSQL, for the few queries every resident asks on every visit.

PostgreSQL plans a query each time it is sent. For the balance page's query planning took twice
as long as running it (0.47 ms against 0.21 ms; docs/performance.md): a statement PREPAREd once
on a connection and EXECUTEd after is planned once, then reused. Django (with psycopg2) has no
prepared statements of its own, so this does the little needed by hand.

A prepared statement belongs to one database connection and lasts as long as it (a rollback
does not undo it), so each is prepared on first use on each connection, and again after Django
reconnects. It would not survive a pooler that hands one session's statements to another
(PgBouncer in transaction mode); the portal connects to PostgreSQL directly (docs/design.md).
Other databases (SQLite, the demo's) run the query as it is."""

from __future__ import annotations

import re

# Django's placeholders: %s for a parameter, %% for a literal percent sign.
_PLACEHOLDER = re.compile(r"%[s%]")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def execute_prepared(cursor, name: str, sql: str, params) -> None:
    """Run `sql` (written with Django's %s placeholders) with `params` on `cursor` (a Django
    cursor) as the prepared statement `name`. One name is one SQL text for the life of the
    process."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"Not a statement name: {name!r}")
    wrapper = cursor.db
    if wrapper.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    prepared_on = wrapper.__dict__.setdefault("_portal_prepared_on", {})
    if prepared_on.get(name) is not wrapper.connection:
        # Set-up of the connection, as Django's own time zone set-up is: sent on the driver's
        # cursor, so it is not counted among a page's queries.
        cursor.cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
        prepared_on[name] = wrapper.connection
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    cursor.execute(f"EXECUTE {name}{arguments}", params)


def _numbered(sql: str) -> str:
    """Django's %s placeholders as PostgreSQL's $1, $2, …"""
    count = 0

    def number(match: re.Match) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)
