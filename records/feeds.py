"""The `properties` and `people` feeds (docs/feeds.md), registered with the sync pipeline."""

from typing import Any

from .contract import (
    Column,
    Derived,
    Feed,
    Reference,
    choice,
    parse_date,
    parse_postcode,
    parse_uprn,
    parse_yes_no,
    register,
)
from .exceptions import RowRejected
from .matching import name_key
from .models import Occupancy, Person, Property
from .results import SyncContext
from .stage import STAGE
from .sync import write_rows


def longest(model, field: str) -> int:
    """The longest value a model's text field stores: a longer value rejects its row."""
    return model._meta.get_field(field).max_length


def current_property_ids() -> dict[str, Any]:
    return {"property": dict(Property.objects.current().values_list("uprn", "id"))}


UNKNOWN_UPRN = "unknown UPRN (no current property)"
# The same lookup for the set-based reader.
CURRENT_PROPERTY = Reference(
    "uprn", Property._meta.db_table, "uprn", UNKNOWN_UPRN, current="retired_at"
)


def property_id(uprn: int, lookups: dict[str, Any]) -> int:
    try:
        return lookups["property"][uprn]
    except KeyError:
        raise RowRejected("uprn", UNKNOWN_UPRN, str(uprn)) from None


# --- properties -----------------------------------------------------------------------------

register(
    Feed(
        name="properties",
        order=10,
        columns=[
            Column("uprn", parse_uprn, required=True),
            Column("address_line_1", required=True, max_length=longest(Property, "address_line_1")),
            Column("address_line_2", max_length=longest(Property, "address_line_2")),
            Column("address_line_3", max_length=longest(Property, "address_line_3")),
            Column("address_line_4", max_length=longest(Property, "address_line_4")),
            Column("postcode", parse_postcode, required=True),
            Column("ward", max_length=longest(Property, "ward")),
            Column("usage", choice(*Property.Usage.values), required=True),
            Column("cpz_zone", str.upper, max_length=longest(Property, "cpz_zone")),
            Column("permit_free", parse_yes_no, required=True),
        ],
        stage_columns=[
            ("uprn", "bigint"),
            ("address_line_1", "text"),
            ("address_line_2", "text"),
            ("address_line_3", "text"),
            ("address_line_4", "text"),
            ("postcode", "text"),
            ("ward", "text"),
            ("usage", "text"),
            ("cpz_zone", "text"),
            ("permit_free", "bool"),
        ],
        to_stage=lambda v, _lookups: (
            v["uprn"],
            v["address_line_1"],
            v["address_line_2"],
            v["address_line_3"],
            v["address_line_4"],
            v["postcode"],
            v["ward"],
            v["usage"],
            v["cpz_zone"],
            v["permit_free"],
        ),
        table=Property._meta.db_table,
        key=["uprn"],
        fields=[
            "address_line_1",
            "address_line_2",
            "address_line_3",
            "address_line_4",
            "postcode",
            "ward",
            "usage",
            "cpz_zone",
            "permit_free",
        ],
        vanish="retired_at",
        sql_stage={},  # every stage column is the feed column of the same name
    )
)


# --- people ---------------------------------------------------------------------------------

PERSON_DETAILS = ["title", "first_name", "last_name", "date_of_birth"]


PEOPLE_STAGE_COLUMNS = [
    ("person_ref", "text"),
    ("title", "text"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("date_of_birth", "date"),
    ("first_name_key", "text"),
    ("last_name_key", "text"),
    ("property_id", "bigint"),
    ("uprn", "bigint"),  # the contract's key; reported for duplicate keys
    ("role", "text"),
    ("source", "text"),
    ("occupied_from", "date"),
    ("occupied_to", "date"),
    ("person_id", "bigint"),
]


def people_to_stage(v: dict[str, Any], lookups: dict[str, Any]) -> tuple:
    return (
        v["person_ref"],
        v["title"],
        v["first_name"],
        v["last_name"],
        v["date_of_birth"],
        name_key(v["first_name"]),
        name_key(v["last_name"]),
        property_id(v["uprn"], lookups),
        v["uprn"],
        v["role"],
        v["source"] or Occupancy.Source.COUNCIL_TAX,
        v["occupied_from"],
        v["occupied_to"],
        None,  # person_id: known once the people are written (upsert_people)
    )


PEOPLE_STAGE = "records_sync_people"
PERSON_COLUMNS = [*PERSON_DETAILS, "first_name_key", "last_name_key"]


def group_people(cursor) -> None:
    """A step of the people feed: group the staged rows into one row per person
    (PEOPLE_STAGE), which upsert_people writes. The same pass notes the people whose details
    differ between their rows (`conflicted`); their details are their first row's."""
    disagree = " OR ".join(
        f"MIN({c}) <> MAX({c}) OR COUNT({c}) NOT IN (0, COUNT(*))" for c in PERSON_DETAILS
    )
    cursor.execute(f"DROP TABLE IF EXISTS {PEOPLE_STAGE}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {PEOPLE_STAGE} AS SELECT person_ref, MIN(line) AS line, "
        f"(COUNT(*) > 1 AND ({disagree})) AS conflicted, "
        + ", ".join(f"MIN({c}) AS {c}" for c in PERSON_COLUMNS)
        + f" FROM {STAGE} GROUP BY person_ref"
    )
    cursor.execute(f"SELECT 1 FROM {PEOPLE_STAGE} WHERE conflicted LIMIT 1")
    if cursor.fetchone():  # (usually none)
        cursor.execute(
            f"UPDATE {PEOPLE_STAGE} SET "
            + ", ".join(f"{c} = f.{c}" for c in PERSON_COLUMNS)
            + f" FROM {STAGE} AS f WHERE {PEOPLE_STAGE}.conflicted "
            f"AND f.line = {PEOPLE_STAGE}.line"
        )


def conflicting_people(cursor) -> list[tuple[int, str, str, str]]:
    """A step of the people feed, after group_people: a person's details must agree across
    their rows, so later rows that disagree with the person's first row are rejected."""
    cursor.execute(f"SELECT person_ref FROM {PEOPLE_STAGE} WHERE conflicted")
    refs = [row[0] for row in cursor.fetchall()]
    rejected = []
    # Only their rows are compared with each one's first row.
    differs = " OR ".join(f"s.{c} IS DISTINCT FROM f.{c}" for c in PERSON_DETAILS)
    n = len(PERSON_DETAILS)
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        cursor.execute(
            f"SELECT s.line, s.person_ref, {', '.join('s.' + c for c in PERSON_DETAILS)}, "
            f"{', '.join('f.' + c for c in PERSON_DETAILS)} "
            f"FROM {STAGE} AS s "
            f"JOIN {PEOPLE_STAGE} AS m ON m.person_ref = s.person_ref "
            f"JOIN {STAGE} AS f ON f.line = m.line "
            f"WHERE m.person_ref IN ({', '.join(['%s'] * len(chunk))}) "
            f"AND s.line <> f.line AND ({differs})",
            chunk,
        )
        for line, ref, *values in cursor.fetchall():
            mine, first = values[:n], values[n:]
            column = next(c for c, a, b in zip(PERSON_DETAILS, mine, first, strict=True) if a != b)
            value = f"{ref}: {mine[PERSON_DETAILS.index(column)]}"
            rejected.append((line, column, value, "conflicting person details"))
    return sorted(rejected)


def upsert_people(cursor, ctx: SyncContext) -> dict[str, int]:
    """Write each person once (from PEOPLE_STAGE: their details agree across rows, conflicts
    are gone), then give every staged occupancy its person_id so the generic apply can key on
    it."""
    table = Person._meta.db_table
    cursor.execute(f"ANALYZE {PEOPLE_STAGE}")
    written = write_rows(
        cursor,
        table=table,
        source=PEOPLE_STAGE,
        key=["person_ref"],
        fields=PERSON_COLUMNS,
        vanish=None,  # people are never ended: their occupancies are
        ctx=ctx,
    )
    inserted, updated = written["inserted"], written["updated"]
    cursor.execute(f"SELECT COUNT(*) FROM {PEOPLE_STAGE}")  # one row per person in the file
    unchanged = cursor.fetchone()[0] - inserted - updated
    if inserted:
        # The planner's statistics still describe the table before this insert.
        cursor.execute(f"ANALYZE {table}")
    # A new stage with the ids joined in: much cheaper than updating every staged row.
    kept = [name for name, _ in PEOPLE_STAGE_COLUMNS if name != "person_id"]
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STAGE}_ids AS SELECT "
        + ", ".join(f"s.{name}" for name in ["line", *kept])
        + f", p.id AS person_id FROM {STAGE} AS s JOIN {table} AS p ON p.person_ref = s.person_ref"
    )
    cursor.execute(f"DROP TABLE {STAGE}")
    cursor.execute(f"ALTER TABLE {STAGE}_ids RENAME TO {STAGE}")
    cursor.execute(f"ANALYZE {STAGE}")
    cursor.execute(f"DROP TABLE {PEOPLE_STAGE}")
    return {"people inserted": inserted, "people updated": updated, "people unchanged": unchanged}


register(
    Feed(
        name="people",
        order=20,
        columns=[
            Column("person_ref", required=True, max_length=longest(Person, "person_ref")),
            Column("uprn", parse_uprn, required=True),
            Column("title", max_length=longest(Person, "title")),
            Column("first_name", required=True, max_length=longest(Person, "first_name")),
            Column("last_name", required=True, max_length=longest(Person, "last_name")),
            Column("date_of_birth", parse_date, default=None),
            Column("role", choice(*Occupancy.Role.values), required=True),
            Column("source", choice(*Occupancy.Source.values)),
            Column("occupied_from", parse_date, required=True),
            Column("occupied_to", parse_date, default=None),
        ],
        stage_columns=PEOPLE_STAGE_COLUMNS,
        to_stage=people_to_stage,
        load_lookups=current_property_ids,
        table=Occupancy._meta.db_table,
        stage_key=["person_ref", "uprn", "occupied_from"],
        key=["person_id", "property_id", "occupied_from"],
        fields=["role", "source", "occupied_to"],
        vanish="ended_at",
        target_key_sql=(
            f"SELECT t.id, p.person_ref, pr.uprn, t.occupied_from "
            f"FROM {Occupancy._meta.db_table} AS t "
            f"JOIN {Person._meta.db_table} AS p ON p.id = t.person_id "
            f"JOIN {Property._meta.db_table} AS pr ON pr.id = t.property_id"
        ),
        steps=[group_people, conflicting_people],
        before_apply=upsert_people,
        sql_stage={
            "first_name_key": Derived("first_name", name_key),
            "last_name_key": Derived("last_name", name_key),
            "property_id": CURRENT_PROPERTY,
            "source": f"COALESCE(NULLIF({{source}}, ''), '{Occupancy.Source.COUNCIL_TAX}')",
            "person_id": "NULL",  # known once the people are written (upsert_people)
        },
    )
)
