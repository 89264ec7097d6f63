"""The three council tax feeds (docs/feeds.md), registered with the records sync pipeline."""

import re
from typing import Any

from records.contract import (
    Column,
    Feed,
    Reference,
    choice,
    parse_date,
    parse_financial_year,
    parse_money,
    parse_positive_money,
    parse_uprn,
    register,
    sql_form,
)
from records.exceptions import RowRejected
from records.feeds import CURRENT_PROPERTY, current_property_ids, longest, property_id
from records.models import Person

from .models import ACCOUNT_REF_PATTERN, CouncilTaxAccount, Instalment, Transaction


@sql_form("{}")
def parse_account_ref(value: str) -> str:
    if not re.fullmatch(ACCOUNT_REF_PATTERN, value):
        raise ValueError("must be 8 digits starting with 3")
    return value


def parse_discounts(value: str) -> str:
    codes = [c.strip().upper() for c in value.split(";") if c.strip()]
    for code in codes:
        if not re.fullmatch(r"[A-Z0-9]{1,10}", code):
            raise ValueError("must be codes separated by ; (e.g. SPD)")
    return ";".join(codes)


def account_lookups() -> dict[str, Any]:
    """Accounts in the latest snapshot, live or closed."""
    return {
        "account": dict(
            CouncilTaxAccount.objects.filter(ended_at__isnull=True).values_list("account_ref", "id")
        )
    }


UNKNOWN_ACCOUNT = "unknown account"
UNKNOWN_PERSON = "unknown person_ref"
# The same lookups for the set-based reader.
ACCOUNT = Reference(
    "account_ref",
    CouncilTaxAccount._meta.db_table,
    "account_ref",
    UNKNOWN_ACCOUNT,
    current="ended_at",
)
PERSON = Reference("lead_person_ref", Person._meta.db_table, "person_ref", UNKNOWN_PERSON)


def account_id(ref: str, lookups: dict[str, Any]) -> int:
    try:
        return lookups["account"][ref]
    except KeyError:
        raise RowRejected("account_ref", UNKNOWN_ACCOUNT, ref) from None


def accounts_lookups() -> dict[str, Any]:
    return {
        **current_property_ids(),
        "person": dict(Person.objects.values_list("person_ref", "id")),
    }


def accounts_to_stage(v: dict[str, Any], lookups: dict[str, Any]) -> tuple:
    # References are checked in stage column order, as the set-based reader checks them.
    property_pk = property_id(v["uprn"], lookups)
    try:
        lead_person_id = lookups["person"][v["lead_person_ref"]]
    except KeyError:
        raise RowRejected("lead_person_ref", UNKNOWN_PERSON, v["lead_person_ref"]) from None
    return (
        v["account_ref"],
        property_pk,
        lead_person_id,
        v["band"],
        v["status"],
        v["payment_method"],
        int(v["instalments"]),
        v["discounts"],
        v["opened_on"],
        v["closed_on"],
    )


register(
    Feed(
        name="council_tax_accounts",
        order=30,
        columns=[
            Column("account_ref", parse_account_ref, required=True),
            Column("uprn", parse_uprn, required=True),
            Column("lead_person_ref", required=True),
            Column("band", choice(*"ABCDEFGH"), required=True),
            Column("status", choice(*CouncilTaxAccount.Status.values), required=True),
            Column(
                "payment_method", choice(*CouncilTaxAccount.PaymentMethod.values), required=True
            ),
            Column("instalments", choice("10", "12"), required=True),
            Column(
                "discounts", parse_discounts, max_length=longest(CouncilTaxAccount, "discounts")
            ),
            Column("opened_on", parse_date, required=True),
            Column("closed_on", parse_date, default=None),
        ],
        stage_columns=[
            ("account_ref", "text"),
            ("property_id", "bigint"),
            ("lead_person_id", "bigint"),
            ("band", "text"),
            ("status", "text"),
            ("payment_method", "text"),
            ("instalments", "int"),
            ("discounts", "text"),
            ("opened_on", "date"),
            ("closed_on", "date"),
        ],
        to_stage=accounts_to_stage,
        load_lookups=accounts_lookups,
        table=CouncilTaxAccount._meta.db_table,
        key=["account_ref"],
        fields=[
            "property_id",
            "lead_person_id",
            "band",
            "status",
            "payment_method",
            "instalments",
            "discounts",
            "opened_on",
            "closed_on",
        ],
        vanish="ended_at",
        sql_stage={
            "property_id": CURRENT_PROPERTY,
            "lead_person_id": PERSON,
            "instalments": "({instalments})::integer",
        },
    )
)

register(
    Feed(
        name="council_tax_instalments",
        order=40,
        columns=[
            Column("account_ref", parse_account_ref, required=True),
            Column("financial_year", parse_financial_year, required=True),
            Column("due_on", parse_date, required=True),
            Column("amount", parse_positive_money, required=True),
        ],
        stage_columns=[
            ("account_id", "bigint"),
            ("account_ref", "text"),  # the contract's key; reported for duplicate keys
            ("financial_year", "text"),
            ("due_on", "date"),
            ("amount_pence", "bigint"),
        ],
        to_stage=lambda v, lookups: (
            account_id(v["account_ref"], lookups),
            v["account_ref"],
            v["financial_year"],
            v["due_on"],
            v["amount"],
        ),
        load_lookups=account_lookups,
        table=Instalment._meta.db_table,
        stage_key=["account_ref", "financial_year", "due_on"],
        key=["account_id", "financial_year", "due_on"],
        target_key_sql=(
            f"SELECT t.id, a.account_ref, t.financial_year, t.due_on "  # noqa: S608
            f"FROM {Instalment._meta.db_table} AS t "
            f"JOIN {CouncilTaxAccount._meta.db_table} AS a ON a.id = t.account_id"
        ),
        fields=["amount_pence"],
        vanish="withdrawn_at",
        sql_stage={"account_id": ACCOUNT, "amount_pence": "{amount}"},
    )
)

register(
    Feed(
        name="council_tax_transactions",
        order=50,
        columns=[
            Column(
                "transaction_ref", required=True, max_length=longest(Transaction, "transaction_ref")
            ),
            Column("account_ref", parse_account_ref, required=True),
            Column("posted_on", parse_date, required=True),
            Column("financial_year", parse_financial_year, required=True),
            Column("kind", choice(*Transaction.Kind.values), required=True),
            Column("amount", parse_money, required=True),
            Column("description", max_length=longest(Transaction, "description")),
        ],
        stage_columns=[
            ("transaction_ref", "text"),
            ("account_id", "bigint"),
            ("posted_on", "date"),
            ("financial_year", "text"),
            ("kind", "text"),
            ("amount_pence", "bigint"),
            ("description", "text"),
        ],
        to_stage=lambda v, lookups: (
            v["transaction_ref"],
            account_id(v["account_ref"], lookups),
            v["posted_on"],
            v["financial_year"],
            v["kind"],
            v["amount"],
            v["description"],
        ),
        load_lookups=account_lookups,
        table=Transaction._meta.db_table,
        key=["transaction_ref"],
        fields=["account_id", "posted_on", "financial_year", "kind", "amount_pence", "description"],
        vanish="withdrawn_at",
        sql_stage={"account_id": ACCOUNT, "amount_pence": "{amount}"},
    )
)
