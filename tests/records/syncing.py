"""Helpers for sync tests: write a feed as a person would, run it as the command does."""

import io

from records.models import SyncRun
from records.services import sync_run_create, sync_run_execute

PROPERTIES_HEADER = "uprn,address_line_1,postcode,ward,usage,cpz_zone,permit_free"
PEOPLE_HEADER = (
    "person_ref,uprn,title,first_name,last_name,date_of_birth,role,source,occupied_from,occupied_to"
)
ACCOUNTS_HEADER = (
    "account_ref,uprn,lead_person_ref,band,status,payment_method,instalments,discounts,"
    "opened_on,closed_on"
)
INSTALMENTS_HEADER = "account_ref,financial_year,due_on,amount"
TRANSACTIONS_HEADER = "transaction_ref,account_ref,posted_on,financial_year,kind,amount,description"


def property_row(uprn: int, *, zone: str = "A", permit_free: str = "N", line1: str = "") -> str:
    line1 = line1 or f"{uprn % 1000} Mare Street"
    return f'{uprn},"{line1}",E8 1DY,Hackney Central,residential,{zone},{permit_free}'


def properties_csv(*uprns: int) -> str:
    return "\n".join([PROPERTIES_HEADER, *(property_row(u) for u in uprns)]) + "\n"


def sync(feed: str, content: str | bytes, *, dry_run: bool = False, approved: bool = False):
    """Create and execute a run inline; returns the finished SyncRun."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    run = sync_run_create(
        feed=feed,
        upload=io.BytesIO(data),
        file_name=f"{feed}.csv",
        started_by_label="test",
        dry_run=dry_run,
        enqueue=False,
    )
    return sync_run_execute(run_id=run.pk, approved=approved)


def rejections(run: SyncRun) -> list[tuple[int, str, str]]:
    """(line, column, reason) of every example in the report, in line order."""
    found = [
        (e["line"], e["column"], e["reason"])
        for group in run.report.get("rejections", [])
        for e in group["examples"]
    ]
    return sorted(found)
