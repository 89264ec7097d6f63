"""The access audit log: every staff search, case view, evidence download and decision writes one
entry here, through `audit_record`. Entries are only ever added (see casework/models.py)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter

from .models import AuditEntry

Action = AuditEntry.Action


def client_ip(request) -> str:
    """The client's address as the sign-in limits count it: allauth's adapter, which trusts
    ALLAUTH_TRUSTED_PROXY_COUNT proxies in X-Forwarded-For or ALLAUTH_TRUSTED_CLIENT_IP_HEADER
    (hackney_portal/settings.py), and REMOTE_ADDR otherwise. A request whose address cannot be
    told is refused (PermissionDenied), so no look goes unaccounted for."""
    return get_adapter(request).get_client_ip(request)


def audit_record(
    *,
    request,
    action: AuditEntry.Action,
    reason: str = "",
    person_ref: str = "",
    uprn: int | None = None,
    subject: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record that the signed-in member of staff did `action`, about a person (their reference in
    the council's records) or a property (its UPRN), for `reason`, now (UTC) and from the
    client's address."""
    user = request.user
    return AuditEntry.objects.create(
        actor=user,
        actor_email=user.email,
        action=action,
        reason=reason[:500],
        person_ref=person_ref,
        uprn=uprn,
        subject=subject[:200],
        detail=detail or {},
        ip_address=client_ip(request),
    )
