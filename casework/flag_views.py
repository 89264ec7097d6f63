"""Permits flagged for a parking officer because their holder may have moved (the records'
moving-home check, or the resident's own report): the list, oldest flag first, and the decision
on one (clear the flag, cancel the permit, or move it to the new address the resident told us,
repriced for the household there: a difference to pay is the resident's to pay before it moves),
made once, with a reason, and audited."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from hackney_portal.templatetags.portal import pounds
from parking.exceptions import MoveRefused, PermitNotFlagged, PermitNotLive
from parking.models import PermitEvent
from parking.moves import permit_move_by_officer, permit_move_problem, permit_move_quote
from parking.permissions import APPLICATION_DECIDE
from parking.permits import permit_cancel_by_officer, permit_cancel_quote, permit_flag_clear
from parking.pricing import NoTariffInForce
from parking.selectors import permit_for_officer, permit_move_open

from .audit import Action, audit_record
from .forms import FlagDecisionForm
from .selectors import flagged_permits_page

# Why the officer looked, as the audit log records it.
FLAG_REASON = "Checking a flagged permit"
Kind = PermitEvent.Kind
DECISIONS = (Kind.FLAG_CLEARED, Kind.CANCELLED, Kind.MOVED, Kind.MOVE_APPROVED)
# What each outcome of the form is called in the audit log, and the history entry it makes.
OUTCOMES = {
    FlagDecisionForm.CLEAR: ("cleared", Kind.FLAG_CLEARED),
    FlagDecisionForm.CANCEL: ("cancelled", Kind.CANCELLED),
    FlagDecisionForm.MOVE: ("moved", Kind.MOVED),
}
# Why a move cannot be priced (parking.pricing.NoTariffInForce), in the officer's words.
NO_TARIFF = (
    "Prices cannot be worked out: no parking tariff is in force today, so the price at the new "
    "address is not known and the permit cannot be moved now. Contact the parking team to add "
    "the tariff in force; meanwhile you can clear the flag or cancel the permit."
)
DONE = {
    FlagDecisionForm.CLEAR: "checked: the flag is cleared and the permit stays valid",
    FlagDecisionForm.CANCEL: "cancelled: the resident is emailed, with any refund",
    FlagDecisionForm.MOVE: "moved to the new address: the resident is emailed",
}


@login_required
@permission_required(APPLICATION_DECIDE, raise_exception=True)
def flagged_permits(request):
    page = flagged_permits_page(page=request.GET.get("page"))
    # The list shows holders' addresses and email addresses: each look at it is kept.
    audit_record(
        request=request,
        action=Action.FLAGGED_PERMITS_VIEW,
        reason=FLAG_REASON,
        subject=f"page {page.number}",
        detail={"permits": [permit.number for permit in page.object_list]},
    )
    return render(request, "casework/flagged_permits.html", {"page": page})


@login_required
@permission_required(APPLICATION_DECIDE, raise_exception=True)
def flag_decide(request, number: str):
    permit = permit_for_officer(number=number)
    if permit is None:
        raise Http404
    move = permit_move_open(permit=permit)
    move_problem = permit_move_problem(permit, move) if move is not None else ""
    # What the permit costs at the new home, and the difference: the officer decides knowing it.
    # With no tariff in force it cannot be worked out, so the move is not offered (clearing the
    # flag or cancelling need no price).
    move_quote = None
    if move is not None and not move_problem:
        try:
            move_quote = permit_move_quote(permit, move)
        except NoTariffInForce:
            move_problem = NO_TARIFF
    can_move = move is not None and not move_problem
    # A move posted again after it was made (a double click) is told it was made, not that
    # "move" is no longer a choice.
    posted_move = request.POST.get("outcome") == FlagDecisionForm.MOVE
    form = FlagDecisionForm(request.POST or None, can_move=can_move or posted_move)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["outcome"]
        reason = form.cleaned_data["reason"]
        outcome, kind = OUTCOMES[chosen]
        try:
            # The decision and its audit entry stand or fall together.
            with transaction.atomic():
                detail = {"permit": permit.number, "outcome": outcome}
                if chosen == form.CANCEL:
                    _, quote = permit_cancel_by_officer(
                        number=permit.number, by=request.user, reason=reason
                    )
                    detail["refund_pence"] = quote.refund_pence
                elif chosen == form.MOVE:
                    decided_move = permit_move_by_officer(
                        number=permit.number, by=request.user, reason=reason
                    )
                    detail.update(move=move.pk, new_uprn=move.uprn, new_address=move.address)
                    if decided_move.approved:
                        # Dearer: approved, made when the resident has paid the difference.
                        outcome = detail["outcome"] = "move approved"
                        detail["to_pay_pence"] = decided_move.approved["difference_pence"]
                else:
                    permit_flag_clear(number=permit.number, by=request.user, reason=reason)
                audit_record(
                    request=request,
                    action=Action.PERMIT_FLAG_DECIDE,
                    reason=reason,
                    person_ref=permit.person_ref,
                    uprn=permit.uprn,
                    subject=f"{permit.number}: {outcome}",
                    detail=detail,
                )
        except MoveRefused as refused:
            form.add_error("outcome", f"{refused.reason} Nothing was changed.")
        except NoTariffInForce:
            # The tariff went between showing the page and moving: rolled back above.
            form.add_error("outcome", f"{NO_TARIFF} Nothing was changed.")
        except (PermitNotFlagged, PermitNotLive):
            permit = permit_for_officer(number=number)  # what the other decision made it
            made = _last_decision(permit)
            if made is not None and (
                made.kind == kind or (kind == Kind.MOVED and made.kind == Kind.MOVE_APPROVED)
            ):
                # The decision asked for is the one made (a double click, or two officers who
                # agree): say what was decided, by whom and when, not that something went wrong.
                said = outcome
                if made.kind == Kind.MOVE_APPROVED:
                    said = "approved for the new address"
                messages.success(request, f"{permit.number} is {said}: {_decided(made)}")
                return redirect("casework:flagged_permits")
            form.add_error(None, f"{_not_waiting(permit)} Nothing was changed.")
        else:
            done = DONE[chosen]
            if outcome == "move approved":
                done = (
                    "approved for the new address: the resident is emailed to pay "
                    f"{pounds(detail['to_pay_pence'])}, and it moves when they have"
                )
            messages.success(request, f"{permit.number} is {done}.")
            return redirect("casework:flagged_permits")
    # Every showing of the permit (its holder, address and history) is audited, a form sent
    # back with an error included.
    audit_record(
        request=request,
        action=Action.FLAGGED_PERMIT_VIEW,
        reason=FLAG_REASON,
        person_ref=permit.person_ref,
        uprn=permit.uprn,
        subject=permit.number,
    )
    today = timezone.localdate()
    waiting = permit.live(today) and permit.flagged_at is not None
    return render(
        request,
        "casework/flag_decision.html",
        {
            "permit": permit,
            "form": form,
            "waiting": waiting,
            "not_waiting": "" if waiting else _not_waiting(permit),
            "quote": permit_cancel_quote(permit=permit, today=today) if waiting else None,
            "move": move,
            "move_problem": move_problem,
            "move_quote": move_quote,
        },
    )


def _last_decision(permit) -> PermitEvent | None:
    """The permit's latest clearing of its flag or cancellation, if any."""
    decided = [event for event in permit.events.all() if event.kind in DECISIONS]
    return decided[-1] if decided else None


def _decided(event: PermitEvent) -> str:
    """Who decided, when, and what: "decided by ... on 3 Dec 2026 14:05: <history entry>"."""
    by = event.by.email if event.by else "the portal"
    return f"decided by {by} on {timezone.localtime(event.at):%-d %b %Y %H:%M}: {event.description}"


def _not_waiting(permit) -> str:
    """Why there is nothing to decide on the permit, in a sentence."""
    last = _last_decision(permit)
    if last is not None:
        by = last.by.email if last.by else "the portal"
        return (
            f"{permit.number} has already been decided, by {by} on "
            f"{timezone.localtime(last.at):%-d %b %Y %H:%M}: {last.description}"
        )
    if not permit.live(timezone.localdate()):
        return f"{permit.number} is cancelled or has ended: there is nothing to decide."
    return f"{permit.number} is not flagged for a parking officer: there is nothing to decide."
