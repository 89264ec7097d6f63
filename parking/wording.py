"""What a decision says to the resident, in one place for the decision page and the emails
(issue 16: a decision says one thing wherever it is read). Plain functions over plain data, like
the rules they word: no Django, so the page, the emails and their tests read the same sentences.

A decision leads with the one reason that decided it (eligibility.deciding_result, or a parking
officer's decision when one was made), then every rule under "How we decided" with a label that
is true of the application as it stands: a rule the rules left unknown reads "A person will
check" only while a person will check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .eligibility import (
    MAX_REVENUE_WEIGHT_KG,
    Decision,
    DecisionOutcome,
    Evidence,
    Outcome,
    Rule,
    RuleResult,
    deciding_result,
)

RULE_TITLES = {
    Rule.ADDRESS: "Your address",
    Rule.ZONE: "Parking zone",
    Rule.PERMIT_FREE: "Car-free development",
    Rule.LIVES_THERE: "Living at the address",
    Rule.LIMITS: "Permits already held",
    Rule.VEHICLE: "Your vehicle",
    Rule.FRESHNESS: "The council\u2019s records",
}
EVIDENCE = {
    Evidence.PROOF_OF_ADDRESS: (
        "Proof of address: a council tax bill, tenancy agreement, or a bank or utility "
        "statement from the last 3 months, with your name and this address"
    ),
    Evidence.V5C: "Your vehicle\u2019s registration certificate (V5C), showing you as the keeper",
}

MET = ("Met", "lbh-tag--green")
NOT_MET = ("Not met", "lbh-tag--red")
PERSON_WILL_CHECK = ("A person will check", "lbh-tag--yellow")
NOT_CHECKED = ("Not checked", "lbh-tag--grey")
OFFICER_APPROVED = ("Checked by a parking officer", "lbh-tag--green")
OFFICER_REFUSED = ("Checked by a parking officer", "lbh-tag--red")

APPROVED_BY_THE_RULES = (
    "You meet every rule for a resident parking permit, checked against the council\u2019s own "
    "records."
)
NO_ZONE = (
    "Your street is not in a controlled parking zone, so you do not need a resident parking "
    "permit: you can park there without one, subject to the signs on the street."
)
PERMIT_FREE = (
    "Your address is in a car-free (permit-free) development, so we cannot issue a resident "
    "parking permit for it."
)
# Why a rule left unknown was never checked, by the application's status.
_NOT_CHECKED_BECAUSE = {
    "not_eligible": "We did not need to check this: your application was refused for another "
    "reason.",
    "withdrawn": "We did not check this: you withdrew your application before a person did.",
    "closed_no_proof": "We did not check this: no proof was sent, so we closed your application.",
}


@dataclass(frozen=True)
class Officer:
    """A parking officer's decision on an application the rules left for a person
    (PermitApplication.officer_decision), with the day it was made in London."""

    approved: bool
    reason: str
    on: date


@dataclass(frozen=True)
class RuleLine:
    """One rule under "How we decided", as the page and the emails show it."""

    title: str
    label: str
    css: str
    text: str


@dataclass(frozen=True)
class Explained:
    sentence: str  # the deciding reason, one sentence, first under the heading
    rule: Rule | None  # the rule that decided; None when all of them did, or an officer
    by_officer: bool
    # Refused because the street has no parking zone: no permit is needed, not a bare refusal.
    no_permit_needed: bool
    rules: list[RuleLine]


def explain(decision: Decision, *, status: str, officer: Officer | None = None) -> Explained:
    """The decision as the resident reads it, for an application now in `status` (a
    PermitApplication.Status value) and decided by `officer` when a parking officer decided."""
    deciding = None if officer else deciding_result(decision)
    return Explained(
        sentence=_sentence(decision, deciding, officer),
        rule=deciding.rule if deciding else None,
        by_officer=officer is not None,
        no_permit_needed=(
            deciding is not None and deciding.rule == Rule.ZONE and deciding.outcome == Outcome.FAIL
        ),
        rules=[_line(result, status, officer) for result in decision.rules],
    )


def without_asking(reason: str) -> str:
    """A rule's reason without what it asks of the resident ("send us proof", "a person will
    check"): for an application no person will now check."""
    kept = []
    for sentence in _sentences(reason):
        if _ASKS.search(sentence):
            continue
        sentence = _PERSON_CLAUSE.sub(".", sentence)
        kept.append(sentence)
    return " ".join(kept)


def first_sentence(text: str) -> str:
    return _sentences(text)[0] if text.strip() else ""


# --- Helpers -----------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_ASKS = re.compile(r"send us|your application is kept", re.IGNORECASE)
_PERSON_CLAUSE = re.compile(
    r"(,? (so|and) a person will check.*|,? until a person has checked your address\.?)$"
)


def _sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text.strip()) if part]


def _sentence(decision: Decision, deciding: RuleResult | None, officer: Officer | None) -> str:
    if officer is not None:
        verb = "approved" if officer.approved else "refused"
        reason = officer.reason.strip()
        if reason and reason[-1] not in ".!?":
            reason += "."
        return (
            f"A parking officer checked your application and {verb} it on "
            f"{officer.on:%-d %B %Y}: {reason}"
        )
    if deciding is None:
        # Approved (every rule passed) or, defensively, an outcome without its rule.
        return APPROVED_BY_THE_RULES if decision.outcome == DecisionOutcome.APPROVED else ""
    if deciding.outcome == Outcome.FAIL:
        if deciding.rule == Rule.ZONE:
            return NO_ZONE
        if deciding.rule == Rule.PERMIT_FREE:
            return PERMIT_FREE
        if deciding.rule == Rule.VEHICLE:
            # "LB19 LRY weighs 4,000 kg." and the limit, as one sentence.
            weighs = first_sentence(deciding.reason).rstrip(".")
            return f"{weighs}, over the {MAX_REVENUE_WEIGHT_KG:,} kg a resident permit allows."
    return first_sentence(deciding.reason)


def _line(result: RuleResult, status: str, officer: Officer | None) -> RuleLine:
    title = RULE_TITLES[result.rule]
    if result.outcome == Outcome.PASS:
        return RuleLine(title, *MET, result.reason)
    if result.outcome == Outcome.FAIL:
        return RuleLine(title, *NOT_MET, result.reason)
    if officer is not None:
        label, css = OFFICER_APPROVED if officer.approved else OFFICER_REFUSED
        return RuleLine(title, label, css, _joined(without_asking(result.reason), ""))
    if status == "needs_evidence":
        return RuleLine(title, *PERSON_WILL_CHECK, result.reason)
    because = _NOT_CHECKED_BECAUSE.get(status, "")
    return RuleLine(title, *NOT_CHECKED, _joined(without_asking(result.reason), because))


def _joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)
