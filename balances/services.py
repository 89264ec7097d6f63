"""Writes of the balances app: a resident links a council tax account, or unlinks one.

Linking asks for three things printed on or known from the bill: the account number, the
property's postcode and the surname of someone liable for the account. A wrong answer never
says which part was wrong, and failed attempts are limited (per resident, whatever account, and
far higher per account number, by other people) so the details cannot be guessed, and nobody
holding a letter with an account number can lock its owner out."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from hackney_portal.retention import cutoff, in_batches
from records.matching import compact_key
from records.models import Occupancy
from records.postcodes import normalise_postcode

from .exceptions import AccountNotLinked, LinkDetailsDoNotMatch, LinkLockedOut
from .models import (
    ACCOUNT_REF_PATTERN,
    AccountLink,
    CouncilTaxAccount,
    LinkAttempt,
    PageViewCount,
)

# A resident's own failed attempts, on any account, before they must wait.
LOCKOUT_FAILURES = 5
# Failed attempts on one account number by other people before linking it is paused for
# everyone: far more than one resident's, so that whoever holds a letter with the number cannot
# keep its owner out, while guessing across many portal accounts is still slowed.
ACCOUNT_PAUSE_FAILURES = 20
LOCKOUT_WINDOW = timedelta(hours=1)
LIABLE_ROLES = (Occupancy.Role.LIABLE, Occupancy.Role.JOINT_LIABLE)

_ACCOUNT_REF = re.compile(ACCOUNT_REF_PATTERN)
# An advisory lock namespace (any fixed int4) for "linking this account number".
_LINK_LOCK_NAMESPACE = 0x6C6E6B  # "lnk"


def normalise_account_ref(value: str) -> str | None:
    """ "3001 2345", " 30012345 " → "30012345"; None when it is not 8 digits starting with 3."""
    compact = "".join(value.split())
    return compact if _ACCOUNT_REF.fullmatch(compact) else None


@dataclass(frozen=True)
class _Outcome:
    reason: LinkAttempt.Reason
    account: CouncilTaxAccount | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True)
class Lockout:
    until: datetime
    yours: bool  # the resident's own failures; False: the account's, by other people


def account_link(
    *, user, account_ref: str, postcode: str, surname: str, now: datetime | None = None
) -> AccountLink:
    """Link the account to the resident when the three details match an account that is not
    closed. Every attempt is recorded. Raises LinkLockedOut after LOCKOUT_FAILURES failed
    attempts in LOCKOUT_WINDOW by the resident, or ACCOUNT_PAUSE_FAILURES on the account number
    by other people (link_lockout), and LinkDetailsDoNotMatch for any wrong answer. Linking an
    account already linked is fine."""
    ref = normalise_account_ref(account_ref or "")
    typed_ref = ref or "".join((account_ref or "").split())[:20]
    with transaction.atomic():
        _serialise(user=user, account_ref=typed_ref)
        # The time is read once this attempt has its turn, so it is after every attempt that
        # went before it.
        now = now or timezone.now()
        outcome = _decide(
            user=user, ref=ref, typed_ref=typed_ref, postcode=postcode, surname=surname, now=now
        )
        LinkAttempt.objects.create(
            user=user,
            account_ref=typed_ref,
            postcode=(postcode or "")[:20],
            succeeded=outcome.reason == LinkAttempt.Reason.LINKED,
            reason=outcome.reason,
            at=now,
        )
        if outcome.reason == LinkAttempt.Reason.LINKED:
            link, _ = AccountLink.objects.get_or_create(
                user=user, account=outcome.account, defaults={"linked_at": now}
            )
            return link
    # Raised after the commit, so the failed attempt is kept.
    if outcome.reason == LinkAttempt.Reason.LOCKED_OUT:
        raise LinkLockedOut(outcome.locked_until)
    if outcome.reason == LinkAttempt.Reason.ACCOUNT_PAUSED:
        raise LinkLockedOut(outcome.locked_until, yours=False)
    raise LinkDetailsDoNotMatch()


def account_unlink(*, user, account_ref: str) -> None:
    """Remove the resident's link to the account. Raises AccountNotLinked when there is none."""
    deleted, _ = AccountLink.objects.filter(user=user, account__account_ref=account_ref).delete()
    if not deleted:
        raise AccountNotLinked(account_ref)


def link_lockout(*, user, account_ref: str, now: datetime) -> Lockout | None:
    """Whether, and until when, linking this account number is refused to this resident: after
    LOCKOUT_FAILURES of their own failed checks in LOCKOUT_WINDOW (any account), or after
    ACCOUNT_PAUSE_FAILURES failed checks on this account number by other people. A resident
    who has not failed is never locked out by someone else's five. Only failed checks count:
    attempts refused by a lockout do not prolong it."""
    since = now - LOCKOUT_WINDOW
    failures = LinkAttempt.objects.filter(succeeded=False, at__gt=since).exclude(
        reason__in=[LinkAttempt.Reason.LOCKED_OUT, LinkAttempt.Reason.ACCOUNT_PAUSED]
    )
    found = None
    for scope, limit, yours in (
        (Q(user=user), LOCKOUT_FAILURES, True),
        (Q(account_ref=account_ref) & ~Q(user=user), ACCOUNT_PAUSE_FAILURES, False),
    ):
        recent = list(failures.filter(scope).order_by("-at").values_list("at", flat=True)[:limit])
        if len(recent) >= limit:
            # Open again once the oldest of those leaves the window.
            opens = recent[-1] + LOCKOUT_WINDOW
            if found is None or opens > found.until:
                found = Lockout(until=opens, yours=yours)
    return found


def _decide(*, user, ref, typed_ref, postcode, surname, now) -> _Outcome:
    lockout = link_lockout(user=user, account_ref=typed_ref, now=now)
    if lockout is not None:
        reason = (
            LinkAttempt.Reason.LOCKED_OUT if lockout.yours else LinkAttempt.Reason.ACCOUNT_PAUSED
        )
        return _Outcome(reason, locked_until=lockout.until)
    if ref is None:
        return _Outcome(LinkAttempt.Reason.INVALID_ACCOUNT_REF)
    account = (
        CouncilTaxAccount.objects.filter(account_ref=ref)
        .select_related("property", "lead_person")
        .first()
    )
    if account is None:
        return _Outcome(LinkAttempt.Reason.UNKNOWN_ACCOUNT)
    if account.ended_at is not None or account.status == CouncilTaxAccount.Status.CLOSED:
        return _Outcome(LinkAttempt.Reason.ACCOUNT_CLOSED)
    if normalise_postcode(postcode or "") != account.property.postcode:
        return _Outcome(LinkAttempt.Reason.WRONG_POSTCODE)
    typed = compact_key(surname)
    if not typed or typed not in _liable_surnames(account, today=timezone.localdate(now)):
        return _Outcome(LinkAttempt.Reason.WRONG_SURNAME)
    return _Outcome(LinkAttempt.Reason.LINKED, account=account)


def _liable_surnames(account: CouncilTaxAccount, *, today) -> set[str]:
    """The compact surname keys of the account's lead and of everyone currently liable or
    jointly liable at its property."""
    names = (
        Occupancy.objects.current()
        .filter(property_id=account.property_id, role__in=LIABLE_ROLES)
        .filter(Q(occupied_to__isnull=True) | Q(occupied_to__gte=today))
        .values_list("person__last_name_key", flat=True)
    )
    return {compact_key(name) for name in [account.lead_person.last_name_key, *names]}


def _serialise(*, user, account_ref: str) -> None:
    """Attempts for one resident, and for one account number, take turns: the count of recent
    failures and the new attempt cannot interleave with another request's."""
    user_model = get_user_model()
    list(user_model.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    if connection.vendor == "postgresql":
        # An int4 from the number (the same in every process, unlike hash()).
        key = zlib.crc32(account_ref.encode()) & 0x7FFFFFFF
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LINK_LOCK_NAMESPACE, key])


def account_closing(*, user) -> dict:
    """Closing the resident's portal account removes their links to council tax accounts (a
    setting of the portal account); the council tax accounts themselves are the council's, and
    the link attempts stay for the retention schedule."""
    removed, _ = AccountLink.objects.filter(user=user).delete()
    return {"council_tax_links_removed": removed}


# --- Retention (docs/retention.md) -------------------------------------------------------------


def retention_enforce(*, today, batch_size: int, dry_run: bool = False) -> dict[str, int]:
    """balances' part of the retention schedule: attempts to link an account, deleted
    RETENTION_LINK_ATTEMPT_DAYS after they were made (the lockouts count the last hour only).
    Links themselves last as long as the resident keeps them; the council tax records are the
    back office's copy, kept as its snapshots say."""
    due = LinkAttempt.objects.filter(
        at__lt=cutoff(today=today, days=settings.RETENTION_LINK_ATTEMPT_DAYS)
    )
    return {"link_attempts": in_batches(due, batch_size=batch_size, dry_run=dry_run)}


def page_view_count(*, page: str, day: date | None = None) -> None:
    """Count one showing of a resident page on its London day: one upsert, in autocommit.

    Chosen over a Redis counter folded into the table by a scheduled task: the balance page
    already goes to the database for its session, its resident and its account, and one more
    statement on one unique index costs a fraction of a millisecond; a counter in the cache
    would need a fold task and its schedule, would lose counts the cache drops (an eviction, a
    restart, a flush), and in the demo (a cache per process, no beat) would never reach the
    table. The day's row is locked only for the statement and its commit, not for a request's
    transaction: measured on the development machine at 0.27 ms a call, committed (a SELECT 1
    took 0.013 ms), so the one row takes some thousands of pages a second, far above the web
    benchmark's target of 200. Within the page it costs 0.3-0.4 ms; a Redis counter was built
    and measured against it (docs/performance.md, bench-web, 4 December 2026 evening): 0.23 ms
    less of PostgreSQL's CPU a page, nothing measurable on throughput, so not kept."""
    table = PageViewCount._meta.db_table
    upsert = (
        f"INSERT INTO {table} (day, page, count) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (day, page) DO UPDATE SET count = {table}.count + 1"
    )
    if connection.vendor == "postgresql":
        # A crash may lose the last few counts, never a resident's data: the commit need not
        # wait for the disk (the wait made the busiest page a sixth slower, bench/web_bench.py).
        # One round trip: the two statements run as one transaction.
        upsert = f"SET LOCAL synchronous_commit TO OFF; {upsert}"
    with connection.cursor() as cursor:
        cursor.execute(upsert, [day or timezone.localdate(), page])
