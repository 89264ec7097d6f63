"""Moving home with a permit: the resident tells us they moved, the permit moves to the new
address (repriced for the new household like a change of vehicle: permits.reprice) when the
council's records show them there, or a parking officer decides; a dearer move is made once the
resident has paid the difference.

Above parking.permits (the permit's life, which this module builds on) and parking.payments:
this module registers with the payment side what a paid move does (`payments.on_paid`), called
under the payment's lock, once. Why a permit cannot move is a read, in parking.selectors
(permit_move_block), which the emails use too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from records.selectors import current_occupants, property_by_uprn

from . import eligibility
from .exceptions import MoveRefused, PaymentRefused, PaymentServiceUnavailable
from .history import permit_event, plural, pounds, queue_email
from .models import Payment, Permit, PermitEvent, PermitMove, Refund
from .payments import (
    ReturnUrl,
    on_paid,
    payment_refresh,
    payment_resume,
    payment_send,
    refund_unused_payment,
    refunds_record,
)
from .permits import (
    check_live,
    close_moves,
    officer_reason,
    paid_permit,
    reprice,
    take_flag,
)
from .pricing import Price
from .selectors import (
    MoveBlock,
    permit_for_user,
    permit_move_block,
    permit_move_open,
    permits_held_at_property,
)

Kind = PermitEvent.Kind


MOVES = {str(kind): kind.label for kind in PermitMove.Kind}


@dataclass(frozen=True)
class NewAddress:
    """Where the resident says they live now: a home in the gazetteer by its UPRN, or, when it
    is not listed, the address lines and postcode they typed."""

    uprn: int | None
    lines: tuple[str, ...] = ()
    postcode: str = ""


def permit_report_move(
    *, user, number: str, where: str, moved_on: date, new_address: NewAddress | None = None
) -> PermitMove:
    """The resident tells us they have moved (`where` is one of MOVES), the day they moved and,
    within Hackney, their new address; kept as the permit's PermitMove (replacing one they told
    us before that nobody has acted on).

    A new home in the gazetteer in a parking zone, where the council's records show the holder
    (the application's lives-there rule, at the new UPRN), moves the permit to that home's zone
    as an application there would be approved. The price depends on the vehicle and the
    household, not the zone: where the new household's further-permit surcharge differs, the
    permit is repriced for the months not yet started on the day they moved, like a change of
    vehicle (permit_move_quote). Cheaper, it moves at once and the difference is refunded;
    dearer, the move waits for the resident to pay the difference (permit_move_payment_start)
    and is made when they have. A household with as many permits as it may have cannot take
    this one. Anything else is flagged for a parking officer with the new address: a home the
    records do not show them at, one not listed, one in no zone or car-free, a full household,
    or a move out of Hackney (the resident is offered the cancellation and its refund). Nothing
    is cancelled. Raises MoveRefused with the reason for the resident."""
    if where not in MOVES:
        raise ValueError(f"not a kind of move: {where!r}")
    today = timezone.localdate()
    if moved_on > today:
        raise MoveRefused("The date you moved must be today or in the past")
    permit = permit_for_user(user=user, number=number)
    target = None
    if where != PermitMove.Kind.OUT_OF_BOROUGH:
        if new_address is None:
            raise MoveRefused("Tell us your new address")
        target = _move_target(new_address)
        if target["uprn"] is not None and target["uprn"] == permit.uprn:
            raise MoveRefused(
                "That is the address your permit is for already. Choose your new address"
            )
    lives = {}
    if target and target["uprn"] is not None and not target["permit_free"]:
        lives = _lives_there(permit, target["uprn"])
    with transaction.atomic():
        permit = Permit.objects.select_for_update().get(pk=permit.pk)
        check_live(permit, today)
        close_moves(permit, PermitMove.Outcome.REPLACED)
        move = PermitMove.objects.create(
            permit=permit,
            kind=where,
            uprn=target["uprn"] if target else None,
            address=target["address"] if target else "",
            postcode=target["postcode"] if target else "",
            zone=target["zone"] if target else "",
            moved_on=moved_on,
            lives_there=lives,
            reported_by=user,
        )
        if target and lives and target["zone"] and not target["permit_free"]:
            quote = permit_move_quote(permit, move)
            if not quote.full:
                _move_or_approve(
                    permit,
                    move,
                    quote,
                    by=user,
                    lives=lives,
                    who="The council's records show you there.",
                )
                return move
        if permit.flagged_at is None:
            permit.flagged_at = timezone.now()
        permit.flag_reason = _move_flag_reason(move)[:200]
        permit.save(update_fields=["flagged_at", "flag_reason"])
        to = f" to {move.address}" if move.address else ""
        permit_event(
            permit,
            Kind.MOVE_REPORTED,
            f"{MOVES[where]}{to}, on {moved_on:%-d %B %Y}, the resident told us.",
            by=user,
            move=move.pk,
        )
        queue_email("move_reported", permit_id=permit.pk, where=where)
    return move


def _move_target(new_address: NewAddress) -> dict:
    """The new address as the permit would keep it, with its zone from the gazetteer."""
    if new_address.uprn is not None:
        found = property_by_uprn(uprn=new_address.uprn)
        if found is None or found.retired_at is not None:
            raise MoveRefused("Select your new address from the list")
        return {
            "uprn": found.uprn,
            "address": found.address.label,
            "postcode": found.address.postcode,
            "zone": found.cpz_zone,
            "permit_free": found.permit_free,
        }
    lines = tuple(" ".join(line.split()) for line in new_address.lines)
    lines = tuple(line for line in lines if line)
    if not lines or not new_address.postcode:
        raise MoveRefused("Enter your new address")
    return {
        "uprn": None,
        "address": ", ".join((*lines, new_address.postcode))[:400],
        "postcode": new_address.postcode,
        "zone": "",
        "permit_free": False,
    }


def _lives_there(permit: Permit, uprn: int) -> dict:
    """What the council's records relied on to show the permit's holder living at `uprn` now
    (the person the permit's approval matched, or the application's name and date of birth, by
    the lives-there rule); empty when they do not show them there."""
    today = timezone.localdate()
    occupants = current_occupants(uprn=uprn)
    source = permit.application
    result = eligibility.check_lives_there(
        applicant=eligibility.Applicant(
            first_name=source.first_name,
            last_name=source.last_name,
            date_of_birth=source.date_of_birth,
        ),
        uprn=uprn,
        occupants=occupants,
        today=today,
    )
    if result.outcome == eligibility.Outcome.PASS:
        return dict(result.relied_on)
    for occupant in occupants:
        if permit.person_ref and occupant.person_ref == permit.person_ref:
            return {
                "uprn": uprn,
                "person_ref": occupant.person_ref,
                "match": "the person the permit's approval matched",
                "occupancies": [
                    {
                        "source": str(record.source),
                        "role": str(record.role),
                        "from": record.occupied_from.isoformat(),
                        "to": record.occupied_to.isoformat() if record.occupied_to else None,
                    }
                    for record in occupant.occupancies
                ],
            }
    return {}


def _move_flag_reason(move: PermitMove) -> str:
    if move.kind == PermitMove.Kind.OUT_OF_BOROUGH:
        return f"The resident says: moved out of Hackney on {move.moved_on:%-d %B %Y}"
    return f"The resident says: moved on {move.moved_on:%-d %B %Y} to {move.address}"


def _move(
    permit: Permit,
    move: PermitMove,
    *,
    by,
    lives: dict,
    who: str,
    reprice: dict | None = None,
    paid: Payment | None = None,
    **data,
) -> None:
    """Move a locked, live permit to the move's new address, and to its zone when the gazetteer
    gives one: what it relies on is now the records at the new address (none when they do not
    show the holder there), any flag is cleared, and the resident is emailed. With `reprice`
    (MoveQuote.as_change) the permit takes the new household's price: the difference is `paid`,
    or refunded here for the months not yet started on the day they moved."""
    old = permit.address
    old_zone = permit.zone
    now = timezone.now()
    if move.zone:
        permit.zone = move.zone
    if permit.flagged_at is not None:
        data.update(flagged_at=permit.flagged_at.isoformat(), flag_reason=permit.flag_reason)
    permit.uprn = move.uprn
    permit.address = move.address
    permit.person_ref = lives.get("person_ref", "")
    permit.relied_on = {
        "uprn": move.uprn,
        "person_ref": permit.person_ref,
        "occupancies": lives.get("occupancies", []),
        "moved_from": {"uprn": permit.relied_on.get("uprn"), "address": old},
        "move": move.pk,
        "decided_at": now.isoformat(),
    }
    permit.flagged_at, permit.flag_reason = None, ""
    fields = ["uprn", "address", "zone", "person_ref", "relied_on", "flagged_at", "flag_reason"]
    difference = 0
    money = ""
    if reprice is not None:
        difference = reprice["difference_pence"]
        permit.price_pence = reprice["price_pence"]
        permit.price_lines = reprice["price_lines"]
        permit.tariff_name = reprice["tariff_name"]
        fields += ["price_pence", "price_lines", "tariff_name"]
        if paid is not None:
            permit.paid_pence += paid.amount_pence
            fields.append("paid_pence")
        months = plural(reprice["unused_months"], "month")
        if difference > 0:
            money = f" Now {pounds(permit.price_pence)}: paid {pounds(difference)} for {months}."
        elif difference < 0:
            money = (
                f" Now {pounds(permit.price_pence)}: {pounds(-difference)} to be refunded "
                f"for {months}."
            )
        data.update(difference_pence=difference, payment=paid.reference if paid else "")
    permit.save(update_fields=fields)
    PermitMove.objects.filter(pk=move.pk).update(outcome=PermitMove.Outcome.MOVED, resolved_at=now)
    move.outcome, move.resolved_at = PermitMove.Outcome.MOVED, now
    permit_event(
        permit,
        Kind.MOVED,
        f"Moved from {old} to {move.address} ("
        + (
            f"zone {old_zone or 'not set'} to zone {permit.zone}"
            if permit.zone != old_zone
            else f"zone {permit.zone or 'not set'}"
        )
        + f"). {who}{money}",
        by=by,
        move=move.pk,
        previous=old,
        **data,
    )
    if difference < 0:
        # For the months not yet started on the day they moved, which a later cancellation
        # counts (_money_for_months), not those left today.
        refunds_record(
            permit,
            -difference,
            reason=Refund.Reason.MOVE,
            by=by,
            months_covered=reprice["unused_months"],
        )
    queue_email("permit_moved", permit_id=permit.pk)


@dataclass(frozen=True)
class MoveQuote:
    """The permit priced at the move's new home against its price at its home now, both at
    today's tariff for the same vehicle (the difference is the household's, not a tariff's):
    what moving costs (positive: the resident pays) or gives back (negative) for the months not
    yet started on the day they moved. It counts other households' permits: a resident is shown
    it only once the records (or a parking officer) put them at the new home (issue 17)."""

    old_price: Price
    new_price: Price
    unused_months: int
    difference_pence: int
    held_there: int  # other permits (and approved applications) at the new home

    @property
    def full(self) -> bool:
        return self.held_there >= settings.PERMITS_PER_HOUSEHOLD

    @property
    def refund_pence(self) -> int:
        return max(-self.difference_pence, 0)

    def as_change(self) -> dict:
        changed = self.new_price.total_pence != self.old_price.total_pence
        return {
            # The permit keeps the price it was sold at unless the household changes it.
            "reprice": changed,
            "price_pence": self.new_price.total_pence,
            "old_price_pence": self.old_price.total_pence,
            "price_lines": [{"label": x.label, "pence": x.pence} for x in self.new_price.lines],
            "tariff_name": self.new_price.tariff_name,
            "difference_pence": self.difference_pence,
            # The months the difference is for: a cancellation later refunds its share of them.
            "unused_months": self.unused_months,
        }


def permit_move_quote(permit: Permit, move: PermitMove) -> MoveQuote:
    """What the permit costs at the address of `move` (see MoveQuote)."""
    held_there = permits_held_at_property(uprn=move.uprn, excluding_permit=permit.number)
    repriced = reprice(
        permit, today=timezone.localdate(), unused_from=move.moved_on, held=held_there
    )
    return MoveQuote(
        old_price=repriced.old_price,
        new_price=repriced.new_price,
        unused_months=repriced.unused_months,
        difference_pence=repriced.difference_pence,
        held_there=held_there,
    )


def _move_or_approve(
    permit: Permit, move: PermitMove, quote: MoveQuote, *, by, lives: dict, who: str, **data
) -> None:
    """A move the records or a parking officer approved, on the locked permit: made now when it
    costs nothing more (a cheaper one refunds the difference); one that costs more is kept on
    the move as approved, and made when the resident has paid the difference (_apply_move), so
    nothing changes if they never pay. Either way any flag is cleared: it has been decided."""
    change = quote.as_change()
    if quote.difference_pence <= 0:
        _move(
            permit,
            move,
            by=by,
            lives=lives,
            who=who,
            reprice=change if change["reprice"] else None,
            **data,
        )
        return
    if permit.flagged_at is not None:
        data.update(flagged_at=permit.flagged_at.isoformat(), flag_reason=permit.flag_reason)
        permit.flagged_at, permit.flag_reason = None, ""
        permit.save(update_fields=["flagged_at", "flag_reason"])
    move.approved = {
        **change,
        # What it was priced over: it is made only over them (_apply_move).
        "from": permit.registration,
        "from_address": permit.address,
        "by": by.pk if by else None,
        "who": who,
        "lives": lives,
        "data": data,
        "at": timezone.now().isoformat(),
    }
    move.save(update_fields=["approved"])
    permit_event(
        permit,
        Kind.MOVE_APPROVED,
        f"Move to {move.address} approved: {who} The permit costs "
        f"{pounds(quote.new_price.total_pence)} there instead of "
        f"{pounds(quote.old_price.total_pence)}: it moves when the resident has paid "
        f"{pounds(quote.difference_pence)} for "
        f"{plural(quote.unused_months, 'month')} not yet started on "
        f"{move.moved_on:%-d %B %Y}.",
        by=by,
        move=move.pk,
        difference_pence=quote.difference_pence,
        **data,
    )
    queue_email("move_to_pay", permit_id=permit.pk, move_id=move.pk)


def permit_move_to_pay(*, permit: Permit) -> PermitMove | None:
    """The permit's move approved and waiting for the resident to pay the difference, if any."""
    move = permit_move_open(permit=permit)
    return move if move is not None and move.approved else None


def moves_lapse(*, now=None) -> list[str]:
    """Moves that cost more, approved (by the records or a parking officer) and not paid for
    within PERMIT_PAYMENT_WINDOW_HOURS of their approval, lapse, as an approved application
    left unpaid does (permits.applications_lapse): the move is resolved as lapsed, the permit
    stays as it is, at its address, with its price, and the resident is emailed that they can
    tell us again. Until then the open move would wait for ever, holding the permit's renewal.
    A payment still in progress is read first (it may have taken the money, and then the move
    is made); one the service cannot answer about keeps its move until the next run. A payment
    that takes the money after its move lapsed goes back in full (_apply_move). Returns the
    numbers of the permits whose move lapsed."""
    now = now or timezone.now()
    waiting = PermitMove.objects.filter(
        resolved_at__isnull=True, approved__has_key="at"
    ).select_related("permit")
    lapsed = []
    for move in waiting:
        pay_by = move.pay_by
        if pay_by is None or pay_by > now:
            continue
        permit = move.permit
        try:
            for payment in permit.payments.filter(status__in=Payment.OPEN):
                payment_refresh(payment_id=payment.pk, now=now)
        except (PaymentServiceUnavailable, PaymentRefused):
            continue
        with transaction.atomic():
            permit = Permit.objects.select_for_update().get(pk=permit.pk)
            if permit.payments.filter(status__in=Payment.OPEN).exists():
                continue  # the resident is paying right now; the service will finish it
            updated = PermitMove.objects.filter(
                pk=move.pk, resolved_at__isnull=True, approved__has_key="at"
            ).update(outcome=PermitMove.Outcome.LAPSED, resolved_at=now)
            if not updated:
                continue  # paid (and moved), told again or cancelled meanwhile
            hours = settings.PERMIT_PAYMENT_WINDOW_HOURS
            permit_event(
                permit,
                Kind.MOVE_LAPSED,
                f"Move to {move.address} not made: the difference of "
                f"{pounds(move.approved['difference_pence'])} was not paid within "
                f"{plural(hours, 'hour')} of its approval. The permit stays at {permit.address}.",
                by=None,
                move=move.pk,
                difference_pence=move.approved["difference_pence"],
            )
            queue_email("move_lapsed", permit_id=permit.pk, move_id=move.pk)
            lapsed.append(permit.number)
    return lapsed


def permit_move_payment_start(*, user, number: str, return_url_for: ReturnUrl) -> Payment | Permit:
    """Start paying the difference for the resident's approved move: the payment to send them
    to (its `next_url`), the one in progress already (a second tab), or the permit when it
    turns out moved already. The move is made once the payment is taken, under the payment's
    lock (_apply_move). Raises MoveRefused when there is nothing to pay for, or another payment
    for the permit is in progress; PaymentServiceUnavailable when the service cannot be
    reached."""
    permit = permit_for_user(user=user, number=number)
    check_live(permit, timezone.localdate())
    move = permit_move_to_pay(permit=permit)
    if move is None:
        raise MoveRefused("There is no move of this permit waiting for a payment.")
    open_payment = permit.payments.filter(status__in=Payment.OPEN).first()
    if open_payment is not None:
        resumed = payment_resume(open_payment, return_url_for)
        if isinstance(resumed, Payment) and resumed.open:
            if resumed.purpose == Payment.Purpose.MOVE and resumed.change["move"] == move.pk:
                return resumed  # carry on paying for it
            raise MoveRefused(
                "You have a payment in progress for a change of vehicle. Finish or cancel it, "
                "then try again."
            )
        if resumed is not None:
            # It went through meanwhile: the move may be made already.
            permit.refresh_from_db()
            move = permit_move_to_pay(permit=permit)
            if move is None:
                return permit
    approved = move.approved
    if (permit.registration, permit.address) != (approved["from"], approved["from_address"]):
        raise MoveRefused(
            "Your permit changed after the move was priced. Tell us about your move again, "
            "and we will work out the price for your permit as it is now."
        )
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                user=user,
                purpose=Payment.Purpose.MOVE,
                permit=permit,
                amount_pence=approved["difference_pence"],
                change={"move": move.pk, **{k: approved[k] for k in MOVE_PRICE_KEYS}},
            )
    except IntegrityError:
        raise MoveRefused(
            "You have a payment in progress for this permit. Finish or cancel it, then try again."
        ) from None
    return payment_send(payment, return_url_for)


MOVE_PRICE_KEYS = (
    "from",
    "from_address",
    "reprice",
    "price_pence",
    "old_price_pence",
    "price_lines",
    "tariff_name",
    "difference_pence",
    "unused_months",
)


@on_paid(Payment.Purpose.MOVE)
def _apply_move(payment: Payment) -> None:
    """A paid difference for a move, inside the payment's lock (parking.payments): the move is
    made, unless the permit is no longer live, the move is no longer waiting (told again,
    cancelled) or the permit changed since it was priced, when all of the payment goes back."""
    permit = paid_permit(payment)
    if permit is None:
        return
    change = payment.change
    move = PermitMove.objects.filter(
        pk=change["move"], permit=permit, resolved_at__isnull=True
    ).first()
    if move is None or not move.approved:
        refund_unused_payment(payment, "the move was no longer waiting for this payment")
        return
    if (permit.registration, permit.address) != (change["from"], change["from_address"]):
        refund_unused_payment(
            payment, "the permit had changed since the price of the move was worked out"
        )
        return
    approved = move.approved
    _move(
        permit,
        move,
        by=payment.user,
        lives=approved["lives"],
        who=approved["who"],
        reprice=change,
        paid=payment,
        **approved["data"],
    )


def permit_move_problem(permit: Permit, move: PermitMove | None) -> str:
    """permit_move_block in a sentence for a parking officer; "" when the permit can move. A
    home in no zone needs no permit; one not listed in another zone has no zone to move to: such
    a permit is cancelled (with its refund) and, for the latter, the resident applies at the
    new address."""
    block = permit_move_block(permit, move)
    if block == MoveBlock.FULL:
        held = permits_held_at_property(uprn=move.uprn, excluding_permit=permit.number)
        return (
            f"The new address has {plural(held, 'permit')} already, as many as a household "
            "may have: the permit cannot move there. Cancel it (with its refund), or clear the "
            "flag if the resident has not moved."
        )
    return {
        "": "",
        MoveBlock.NOTHING_TOLD: "The resident has not told us a new address.",
        MoveBlock.OUT_OF_BOROUGH: "The resident moved out of Hackney: the permit cannot move "
        "there.",
        MoveBlock.RETIRED: "The new address is no longer in the council's address records.",
        MoveBlock.CAR_FREE: "The new address is a car-free development: no resident permits there.",
        MoveBlock.NO_ZONE: "The new address is in no parking zone: no permit is needed to park "
        "there. Cancel the permit (with its refund).",
        MoveBlock.ZONE_UNKNOWN: "The new address is not in the council's address records, so "
        "its zone is not known. Cancel the permit (with its refund) and the resident applies "
        "at the new address, where the officer approving it sets the zone.",
    }[block]


def permit_move_by_officer(*, number: str, by, reason: str) -> PermitMove:
    """A parking officer's decision on a flagged permit whose holder told us their new address:
    the permit moves there, with the officer's reason on its history (and the records at the
    new address relied on when they show the holder there), repriced like a move the records
    approve (permit_move_quote): cheaper, it moves now and the difference is refunded; dearer,
    the move is approved and the resident is emailed to pay the difference, and it moves when
    they have. Decided once under the permit's lock, like the other flag decisions; MoveRefused
    says why it cannot move (no zone, out of Hackney, a full household, no address told).
    Returns the move (open while the difference is still to pay)."""
    reason = officer_reason(reason)
    with transaction.atomic():
        permit, flag = take_flag(number)
        move = permit.moves.filter(resolved_at__isnull=True).first()
        problem = permit_move_problem(permit, move)
        if problem:
            raise MoveRefused(problem)
        lives = _lives_there(permit, move.uprn) if move.uprn is not None else {}
        _move_or_approve(
            permit,
            move,
            permit_move_quote(permit, move),
            by=by,
            lives=lives,
            who=f"Moved by a parking officer ({reason}).",
            reason=reason,
            **flag,
        )
    return move
