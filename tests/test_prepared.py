"""hackney_portal.prepared: a query run as a prepared statement gives what it gives run plainly,
is prepared once a connection, and again on a new connection."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from hackney_portal.prepared import _numbered, execute_prepared

SQL = "SELECT %s::int + %s::int, '100%%'"


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def _run(name: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        execute_prepared(cursor, name, SQL, params)
        return cursor.fetchall()


def test_placeholders_are_numbered_and_a_percent_sign_kept():
    assert _numbered(SQL) == "SELECT $1::int + $2::int, '100%'"


def test_a_name_that_is_not_an_identifier_is_refused(db):
    with connection.cursor() as cursor, pytest.raises(ValueError, match="Not a statement name"):
        execute_prepared(cursor, "x; DROP TABLE y", SQL, [1, 2])


def test_a_prepared_query_answers_as_the_plain_one_and_is_prepared_once(db):
    with connection.cursor() as cursor:
        cursor.execute(SQL, [2, 3])
        plain = cursor.fetchall()
    assert _run("test_sum_once", [2, 3]) == plain == [(5, "100%")]
    with CaptureQueriesContext(connection) as captured:
        assert _run("test_sum_once", [40, 2]) == [(42, "100%")]
    assert [query["sql"] for query in captured] == ["EXECUTE test_sum_once(40, 2)"]


def test_a_rollback_does_not_lose_the_prepared_statement(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        _run("test_sum_rollback", [1, 1])
        raise RuntimeError("roll back")
    assert "test_sum_rollback" in _prepared_names()
    assert _run("test_sum_rollback", [1, 2]) == [(3, "100%")]


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_it_again():
    assert _run("test_sum_reconnect", [1, 1]) == [(2, "100%")]
    connection.close()
    assert "test_sum_reconnect" not in _prepared_names()
    assert _run("test_sum_reconnect", [2, 2]) == [(4, "100%")]
    assert "test_sum_reconnect" in _prepared_names()
