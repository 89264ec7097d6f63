"""The contact centre's search: one box for a name, an address, a postcode, a UPRN, a council
tax account number, a vehicle registration, a permit number or an application reference.

What was typed is read every way it could be meant (`parse_query`); each reading asks the app
that owns the records through its public selectors. Exact identifiers (UPRN, postcode, account
number, registration, reference) come first, then people, then addresses. Names are ranked
here, in plain Python over the candidates records.selectors finds (by trigram on PostgreSQL, by
prefix on SQLite), so the ranking is the same on both and testable without a database:

* the typed words are read as "given names then surname" and as "surname then given names",
  split at every place ("Zoe Smith Jones" may be Zoe of Smith-Jones, or Zoe Smith of Jones);
* a surname scores 1 when its key matches exactly (name_key: case, accents, apostrophes and
  hyphens aside, "o brien" = "O'Brien"), less for one word of a double-barrelled surname, a
  prefix, a typo or two;
* two neighbouring letters swapped in a surname ("Yuong", "Grnat", "Weßi") share too few
  trigrams with it for the database to offer it: when no one was found with the surname as
  typed, its swaps (n-1 for n letters, in the key and as typed) are looked up whole, and a
  surname among them is one slip;
* given names add up to 1: the same names, the first of them, a prefix, an initial, a typo;
  given names that do not agree at all rule that reading out;
* people much weaker than the best match are left out, then the rest are ordered by score,
  current residents before former ones at the same score.

Only the page shown is fetched in full (addresses, roles, years of birth).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.paginator import Page, Paginator
from django.urls import reverse

from balances.selectors import AccountFound, account_for_search
from balances.services import normalise_account_ref
from parking.selectors import (
    ApplicationSummary,
    PermitFound,
    application_reference_for_search,
    applications_for_search,
    permit_number_for_search,
    permits_for_search,
    registration_for_search,
)
from records.matching import name_key
from records.postcodes import normalise_postcode
from records.selectors import (
    ADDRESS_CANDIDATES_LIMIT,
    PersonSummary,
    PropertySummary,
    address_order_key,
    address_words,
    names_with_surname_like,
    people_named,
    people_summaries,
    properties_at_postcode,
    properties_with_address_words,
    property_summaries,
    street_word_forms,
    street_word_full,
)

MAX_QUERY_LENGTH = 100
MIN_QUERY_LENGTH = 2
MAX_NAME_WORDS = 5  # more words than any name: read only the first five
PER_PAGE = 20  # one kind of result, page by page
PREVIEW = 5  # each kind's first few, when every kind is shown
KEEP_FROM_BEST = 0.6  # people scoring under 60% of the best match are left out
SWAPPED = 0.8  # a surname with two neighbouring letters swapped: one slip, as edit_distance says
AS_TYPED = 0.9  # a surname found as typed (or one word of a double-barrelled one) scores this
MAX_CORRECTIONS = 5  # the nearest words a mistyped address word may be a slip for

PEOPLE = "people"
PROPERTIES = "properties"
ACCOUNTS = "accounts"
APPLICATIONS = "applications"
PERMITS = "permits"
KIND_LABELS = {
    ACCOUNTS: "Council tax accounts",
    APPLICATIONS: "Permit applications",
    PERMITS: "Permits",
    PROPERTIES: "Addresses",
    PEOPLE: "People",
}

_UPRN = re.compile(r"\d{1,12}")


class QueryError(ValueError):
    """What was typed cannot be searched for; the message says what to type instead."""


# --- Reading what was typed ----------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """Every way the text may be meant. Identifiers are normalised as their owners write them;
    None (or empty) when the text cannot be one."""

    text: str
    uprn: int | None = None
    account_ref: str | None = None
    postcode: str | None = None
    registration: str | None = None
    application_reference: str | None = None
    permit_number: str | None = None
    name_words: tuple[str, ...] = ()  # name_key words: "Seán O'Brien" -> ("sean", "obrien")
    address_words: tuple[str, ...] = ()  # lower case words: "12 Mare St" -> ("12", "mare", "st")

    @property
    def identifier(self) -> bool:
        """Whether the text is an identifier rather than words to look for."""
        return any(
            (
                self.uprn is not None,
                self.account_ref,
                self.postcode,
                self.registration,
                self.application_reference,
                self.permit_number,
            )
        )


def parse_query(text: str) -> Query:
    """Read the search box. Raises QueryError for an empty, one-letter or over-long search."""
    text = " ".join((text or "").split())
    if not text:
        raise QueryError(
            "Enter a name, address, postcode, UPRN, account number, registration or reference"
        )
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"Search must be {MAX_QUERY_LENGTH} characters or fewer")
    compact = "".join(text.split())
    if len(compact) < MIN_QUERY_LENGTH:
        raise QueryError(f"Enter at least {MIN_QUERY_LENGTH} letters or numbers")
    digits = _UPRN.fullmatch(compact)
    words = name_key(text).split()
    return Query(
        text=text,
        uprn=int(compact) if digits else None,
        account_ref=normalise_account_ref(compact),
        postcode=normalise_postcode(compact),
        registration=None if digits else registration_for_search(text),
        application_reference=application_reference_for_search(text),
        permit_number=permit_number_for_search(text),
        name_words=tuple(w for w in words if not w.isdigit())[:MAX_NAME_WORDS]
        if not digits
        else (),
        address_words=tuple(re.findall(r"[^\W_]+", text.lower())) if not digits else (),
    )


# --- Ranking names (pure) --------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One way to read the typed words as a name: given names, and a surname (compact)."""

    given: tuple[str, ...]
    surname: str
    surname_first: bool = False

    words: int = 1  # how many typed words make the surname

    @property
    def typo_tolerant(self) -> bool:
        """Whether to look for surnames a typo away from this one: one word, in the usual order
        (given names first), of four letters or more. A trigram query on a short string, or on
        words run together ("smithjones" is as like Smith as Jones), makes PostgreSQL recheck
        thousands of people (docs/performance.md); other readings find a surname by its start
        (in the usual order) or whole (surname first), which the database answers cheaply."""
        return not self.surname_first and self.words == 1 and len(self.surname) >= 4


def readings(words: Sequence[str]) -> list[Reading]:
    """Every split of the words into given names and a surname, in either order."""
    words = list(words)
    found = [
        Reading(tuple(words[:i]), "".join(words[i:]), words=len(words) - i)
        for i in range(len(words))
    ]
    found += [
        Reading(tuple(words[j:]), "".join(words[:j]), surname_first=True, words=j)
        for j in range(1, len(words))
    ]
    return list(dict.fromkeys(found))


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's similarity, in Python: shared trigrams of the padded words over all."""
    ta, tb = _trigrams(a), _trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


@lru_cache(maxsize=50_000)
def _trigrams(text: str) -> frozenset[str]:
    grams = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


@lru_cache(maxsize=50_000)
def edit_distance(a: str, b: str) -> int:
    """Letters to insert, delete, change or swap with a neighbour to turn `a` into `b`
    (optimal string alignment distance): "obrein" is 1 from "obrien"."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            row.append(cost)
        previous2, previous = previous, row
    return previous[-1]


@lru_cache(maxsize=50_000)
def surname_score(record_surname_key: str, typed: str) -> float | None:
    """How well a typed surname (compact) matches a record's surname key; None: not at all."""
    record = record_surname_key.replace(" ", "")
    if not typed or not record:
        return None
    if record == typed:
        return 1.0
    if typed in record_surname_key.split():
        return 0.9  # one word of a double-barrelled surname: "Jones" for "Smith-Jones"
    if _typo(record, typed):
        return 0.8 if edit_distance(record, typed) == 1 else 0.6
    if len(typed) >= 3 and record.startswith(typed):
        return 0.75  # the start of it: "O'Bri"
    similarity = trigram_similarity(record, typed)
    return similarity if similarity >= 0.3 else None


@lru_cache(maxsize=50_000)
def given_score(record_given_key: str, typed: tuple[str, ...]) -> float | None:
    """How well typed given names match a record's (its name key); 0 when none were typed,
    None when they disagree."""
    if not typed:
        return 0.0
    record = record_given_key.split()
    if not record:
        return None
    first, theirs = typed[0], record[0]
    if "".join(typed) == "".join(record):
        return 1.0
    if first == theirs:
        return 0.9
    if len(first) == 1:
        return 0.6 if theirs.startswith(first) else None  # an initial: "S O'Brien"
    if theirs.startswith(first):
        return 0.7  # the start of it: "Seá"
    if _typo(theirs, first):
        return 0.6 if edit_distance(theirs, first) == 1 else 0.5
    return None


def _typo(record: str, typed: str) -> bool:
    """One slip in a word of four letters or more, two in one of seven or more."""
    allowed = 2 if len(record) >= 7 else 1 if len(record) >= 4 else 0
    return (
        allowed > 0
        and abs(len(record) - len(typed)) <= allowed
        and (edit_distance(record, typed) <= allowed)
    )


def _allowed_slips(word: str) -> int:
    return 2 if len(word) >= 7 else 1 if len(word) >= 4 else 0


def _deletions(word: str, depth: int) -> set[str]:
    """The word with up to `depth` letters taken out, in every way."""
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


@lru_cache(maxsize=2)
def _slip_index(vocabulary: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Each word of the vocabulary under every way of taking out as many letters as _typo
    allows in it: two words a slip or two apart share one of these, so a typed word is
    compared only with the few words it may be a slip for, not the whole vocabulary."""
    index: dict[str, list[str]] = {}
    for word in vocabulary:
        for key in _deletions(word, _allowed_slips(word)):
            index.setdefault(key, []).append(word)
    return {key: tuple(words) for key, words in index.items()}


def address_word_corrections(word: str, vocabulary: Collection[str]) -> tuple[str, ...]:
    """The words of `vocabulary` (the borough's address words) that a typed address word may
    be a slip for, the nearest of them only: one slip in a word of four letters or more, two
    in one of seven or more, as for surnames ("raod" -> road, "kingslnad" -> kingsland,
    "avnue" -> avenue). None for a word the vocabulary holds, a number, or a street type ("rd")."""
    vocabulary = frozenset(vocabulary)
    if (
        len(word) < 3
        or not word.isalpha()
        or word in vocabulary
        or street_word_forms(word) != (word,)
    ):
        return ()
    index = _slip_index(vocabulary)
    near = {
        candidate
        for key in _deletions(word, 2)
        for candidate in index.get(key, ())
        if _typo(candidate, word)
    }
    if not near:
        return ()
    # The nearest only: "kingslnad" is one slip from Kingsland, two from Kingsmead.
    nearest = min(edit_distance(c, word) for c in near)
    return tuple(sorted(c for c in near if edit_distance(c, word) == nearest)[:MAX_CORRECTIONS])


def _swap(text: str, i: int) -> str:
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def swapped_name_words(text: str) -> tuple[frozenset[str], ...]:
    """For each name word of `text` (Query.name_words), its name keys with two neighbouring
    letters swapped (Damerau's transposition: n-1 of them for n letters), swapped both in the
    key and as typed, then keyed: "Weßi" is keyed "wessi", whose swaps never make Weiß's "weiss"
    (ß is two letters in a key), but "Weiß" typed with its last two letters swapped back is."""
    words = name_key(text).split()
    found = [{_swap(w, i) for i in range(len(w) - 1) if w[i] != w[i + 1]} for w in words]
    for i in range(len(text) - 1):
        if text[i].isalpha() and text[i + 1].isalpha() and text[i] != text[i + 1]:
            swapped = name_key(_swap(text, i)).split()
            if len(swapped) == len(words):  # letters swapped: always so, the words are kept
                for j, (word, other) in enumerate(zip(words, swapped, strict=True)):
                    if other != word:
                        found[j].add(other)
    kept = [j for j, word in enumerate(words) if not word.isdigit()][:MAX_NAME_WORDS]
    return tuple(frozenset(found[j] - {words[j]}) for j in kept)


def surname_swaps(
    reading: Reading, words: Sequence[str], swaps: Sequence[Collection[str]]
) -> frozenset[str]:
    """A reading's surname (compact) with two neighbouring letters of one of its words swapped
    (`swaps`: swapped_name_words, word by word), for a surname long enough to forgive a slip
    in (_typo: four letters or more)."""
    if len(reading.surname) < 4:
        return frozenset()
    start = 0 if reading.surname_first else len(words) - reading.words
    end = start + reading.words
    return frozenset(
        "".join([*words[start:k], other, *words[k + 1 : end]])
        for k in range(start, end)
        for other in swaps[k]
    )


def name_score(
    first_name_key: str,
    last_name_key: str,
    options: Sequence[Reading],
    swapped: dict[str, frozenset[str]] | None = None,
) -> float:
    """The best score of any reading (up to 2: surname and given names); 0 when none fits.
    `swapped`: each reading's surname with two neighbouring letters swapped (surname_swaps),
    when those were looked for: a record's surname among them is one slip."""
    best = 0.0
    for reading in options:
        surname = surname_score(last_name_key, reading.surname)
        if (
            swapped
            and (surname is None or surname < SWAPPED)
            and last_name_key.replace(" ", "") in swapped.get(reading.surname, ())
        ):
            surname = SWAPPED  # "Weßi" for Weiß: two edits between their keys, one as typed
        if surname is None:
            continue
        given = given_score(first_name_key, reading.given)
        if given is None:
            continue
        best = max(best, surname + given)
    return best


def keep_names(
    names: Sequence[tuple[str, str]],
    options: Sequence[Reading],
    swapped: dict[str, frozenset[str]] | None = None,
) -> dict[tuple[str, str], float]:
    """The names (first_name_key, last_name_key) that match, with their scores: those close to
    the best match. `swapped` as for name_score."""
    scores = {name: name_score(*name, options, swapped) for name in names}
    best = max(scores.values(), default=0.0)
    if best <= 0:
        return {}
    return {name: score for name, score in scores.items() if score >= best * KEEP_FROM_BEST}


def rank_people(candidates, scores: dict[tuple[str, str], float]) -> list[str]:
    """The person references of the candidates (anything with person_ref, first_name_key,
    last_name_key and current) whose names were kept, best first, current residents before
    former ones at the same score, then by surname and first name."""
    # Keys made once per name, then plain tuples sorted: "Smith" alone ranks 5,000 people.
    order = {name: -round(score, 2) for name, score in scores.items() if score > 0}
    ranked = [
        (
            order[name],
            not c.current,
            c.last_name_key,
            c.first_name_key,
            c.person_ref,
        )
        for c in candidates
        if (name := (c.first_name_key, c.last_name_key)) in order
    ]
    ranked.sort()
    return [ref for *_, ref in ranked]


def words_together(label: Sequence[str], wanted: Sequence[Collection[str]]) -> bool:
    """Whether an address's words (`label`, in full: "road", not "rd") hold the typed words
    one after another, in order: each typed word as one of its readings (`wanted`: the word in
    full, or a word it may be a slip for) or, a word of three letters or more, as the start of
    one ("cazenov" for Cazenove). A number must be the number: "1 mare street" is not in
    "21 Mare Street"."""

    # Each typed word: its readings, and those a label word may begin with (str.startswith
    # takes a tuple: one call, for 500 candidate addresses a search).
    typed = [
        (readings, tuple(r for r in readings if r.isalpha() and len(r) >= 3)) for readings in wanted
    ]
    span = len(typed)
    for start in range(len(label) - span + 1):
        for i, (readings, starts) in enumerate(typed):
            word = label[start + i]
            if word not in readings and not (starts and word.startswith(starts)):
                break
        else:
            return span > 0
    return False


# --- Searching -------------------------------------------------------------------------------


@dataclass
class Group:
    """One kind of result: its page (of summaries, or ResultItem) and how many there are."""

    kind: str
    page: Page
    exact: bool  # matched an identifier exactly

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def total(self) -> int:
        return self.page.paginator.count

    @property
    def items(self) -> list:
        return list(self.page.object_list)

    @property
    def capped(self) -> bool:
        """Addresses stop at ADDRESS_CANDIDATES_LIMIT: there may be more than the total."""
        return self.kind == PROPERTIES and not self.exact and self.total >= ADDRESS_CANDIDATES_LIMIT


@dataclass(frozen=True)
class ResultItem:
    """A result and where it leads: the case view of a person or a property (None until the
    case view exists)."""

    kind: str
    summary: PersonSummary | PropertySummary | AccountFound | ApplicationSummary | PermitFound
    url: str | None


@dataclass
class Results:
    query: Query
    kind: str | None  # one kind, page by page; None: every kind, the first few of each
    groups: list[Group] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)


def search(text: str, *, kind: str | None = None, page: int | str | None = 1) -> Results:
    """Search for `text`: every kind it may be, or only `kind` (one of KIND_LABELS) page by
    page. Raises QueryError when the text cannot be searched for."""
    query = parse_query(text)
    if kind not in KIND_LABELS:
        kind = None
    results = Results(query=query, kind=kind)
    per_page = PER_PAGE if kind else PREVIEW
    number = page if kind else 1
    found_any = False
    for group_kind, finder in _FINDERS:
        if kind and group_kind != kind:
            continue
        keys, exact, fetch = finder(query, found_any=found_any)
        found_any = found_any or bool(keys)
        if not keys:
            continue
        group_page = Paginator(keys, per_page).get_page(number)
        group_page.object_list = fetch(list(group_page.object_list))
        results.groups.append(Group(kind=group_kind, page=group_page, exact=exact))
    results.groups.sort(key=lambda group: not group.exact)  # exact identifiers first
    return results


# A finder takes the query and whether an earlier one found anything; it returns its keys
# (ranked), whether they match an identifier exactly, and how to fetch a page of them.
Finder = Callable[..., tuple[list, bool, Callable[[list], list]]]


def _accounts(query: Query, *, found_any: bool):
    account = account_for_search(account_ref=query.account_ref) if query.account_ref else None
    items = [account] if account else []
    return items, True, lambda page: [_item(ACCOUNTS, a, uprn=a.uprn) for a in page]


def _applications(query: Query, *, found_any: bool):
    if not (query.registration or query.application_reference):
        return [], True, list
    found = applications_for_search(
        registration=query.registration or "", reference=query.application_reference or ""
    )
    return found, True, lambda page: [_item(APPLICATIONS, a, uprn=a.uprn) for a in page]


def _permits(query: Query, *, found_any: bool):
    if not (query.registration or query.permit_number):
        return [], True, list
    found = permits_for_search(
        number=query.permit_number or "", registration=query.registration or ""
    )
    return found, True, lambda page: [_item(PERMITS, p, uprn=p.uprn) for p in page]


def _properties(query: Query, *, found_any: bool):
    exact = True
    if query.uprn is not None:
        uprns = [summary.uprn for summary in property_summaries(uprns=[query.uprn])]
    elif query.postcode:
        uprns = [address.uprn for address in properties_at_postcode(postcode=query.postcode)]
    elif query.address_words and not _letters_too_short_for_an_address(query.address_words):
        exact = False
        words = query.address_words
        corrections: dict[str, tuple[str, ...]] = {}
        found = properties_with_address_words(words=words)
        if not found and not found_any:
            # Nothing holds the words as typed: read each word the borough's addresses do not
            # hold as the words it may be a slip for ("88 kingsland raod").
            vocabulary = address_words()
            corrections = {
                word: near for word in words if (near := address_word_corrections(word, vocabulary))
            }
            if corrections:
                found = properties_with_address_words(words=words, corrections=corrections)
        wanted = [
            {street_word_full(form) for form in (word, *corrections.get(word, ()))}
            for word in words
        ]

        def order(c):
            # The words as typed (or as corrected), together and in order ("1 mare street",
            # "1 mare st", "88 kingsland raod"), before addresses that merely hold them all
            # ("Flat 1, Holly Point, Mare Street").
            label = [street_word_full(w) for w in re.findall(r"[^\W_]+", c.address.label.lower())]
            apart = not words_together(label, wanted)
            similarity = trigram_similarity(c.address.label, query.text)
            return (c.retired, apart, -round(similarity, 1), address_order_key(c.address))

        found.sort(key=order)
        uprns = [c.address.uprn for c in found]
    else:
        uprns = []

    def fetch(page: list[int]) -> list[ResultItem]:
        return [_item(PROPERTIES, s, uprn=s.uprn) for s in property_summaries(uprns=page)]

    return uprns, exact, fetch


def _letters_too_short_for_an_address(words: Sequence[str]) -> bool:
    """Only words of one or two letters ("Ha Li"): a name, not an address. No index holds words
    that short, so looking for them in addresses reads every address in the borough (88 ms, the
    slowest of bench-search's queries) for what no one types to find a home: an address search
    has a number, a postcode or a word of three letters or more ("12 a" still searches)."""
    return all(len(word) < 3 and word.isalpha() for word in words)


def _people(query: Query, *, found_any: bool):
    if query.identifier or not query.name_words:
        return [], False, list
    options = readings(query.name_words)
    names = names_with_surname_like(
        prefixes=[r.surname for r in options if not r.surname_first],
        exactly=[r.surname for r in options if r.surname_first],
        # A street type typed last ("... road") is an address: looking for the surnames a
        # typo away from it would recheck thousands of people (every "Ro..." for "road").
        similar_to=[
            r.surname
            for r in options
            if r.typo_tolerant and street_word_forms(r.surname) == (r.surname,)
        ],
    )
    kept = keep_names(names, options)
    # Two neighbouring letters swapped in a short surname leave too few trigrams in common for
    # the index to offer it ("Yuong" for Young): when no one was found with the surname as
    # typed (else the swaps would only add people a slip away: "Byrne" does not bring Bryne),
    # the swaps are looked up whole, by equality (one more query).
    swapped = _surname_swaps_to_try(query, options)
    if swapped and not _found_as_typed(kept, options):
        more = names_with_surname_like(exactly=sorted(set().union(*swapped.values())))
        if more:
            kept = keep_names(list(dict.fromkeys([*names, *more])), options, swapped)
    refs = rank_people(people_named(names=list(kept)), kept)

    def fetch(page: list[str]) -> list[ResultItem]:
        return [_item(PEOPLE, s, person=s.person_ref) for s in people_summaries(person_refs=page)]

    return refs, False, fetch


def _applications_named(query: Query, *, found_any: bool):
    """Applications by the applicant's name as typed on them, ranked as people are: the
    council's records may not know the applicant (new to the borough, or under another name),
    and an agent must still find what they applied for. Newest first at the same score.
    A surname with two neighbouring letters swapped is looked for in the same query (the
    applications are far fewer than people: a few more index probes, not another query), and
    kept only when no application has the surname as typed."""
    if query.identifier or not query.name_words:
        return [], False, list
    options = readings(query.name_words)
    swapped = _surname_swaps_to_try(query, options)
    swaps = set().union(*swapped.values())
    found = applications_for_search(
        surname_prefixes=[r.surname for r in options if not r.surname_first],
        surnames=[*(r.surname for r in options if r.surname_first), *sorted(swaps)],
    )
    names = list(dict.fromkeys((a.first_name_key, a.last_name_key) for a in found))
    kept = keep_names(names, options)
    if swaps and not _found_as_typed(kept, options):
        kept = keep_names(names, options, swapped)
    elif swaps:  # "Byrne" found: an application by Bryne, in it only as a swap, is left out
        kept = keep_names(
            [name for name in names if not _only_swapped(name[1], swaps, options)], options
        )
    scored = [
        (score, application)
        for application in found
        if (score := kept.get((application.first_name_key, application.last_name_key), 0.0)) > 0
    ]
    scored.sort(key=lambda pair: -round(pair[0], 2))  # stable: newest first at the same score
    return (
        [application for _, application in scored],
        False,
        lambda page: [_item(APPLICATIONS, a, uprn=a.uprn) for a in page],
    )


def _surname_swaps_to_try(query: Query, options: Sequence[Reading]) -> dict[str, frozenset[str]]:
    """Each reading's surname with two neighbouring letters swapped (surname_swaps), by the
    reading's surname; {} for an address (a word with a digit, "12" or "e8", or a street type
    last, "... road") and for surnames too short to forgive a slip in."""
    words = query.name_words
    if (
        not words
        or street_word_forms(words[-1]) != (words[-1],)
        or any(ch.isdigit() for word in query.address_words for ch in word)
    ):
        return {}
    swaps = swapped_name_words(query.text)
    if len(swaps) != len(words):
        return {}
    return {r.surname: near for r in options if (near := surname_swaps(r, words, swaps))}


def _found_as_typed(kept: Collection[tuple[str, str]], options: Sequence[Reading]) -> bool:
    """Whether a kept name (first_name_key, last_name_key) has a surname as typed (or one word
    of a double-barrelled one) with given names that agree, in some reading."""
    return any(
        (surname_score(last, r.surname) or 0.0) >= AS_TYPED
        and given_score(first, r.given) is not None
        for first, last in kept
        for r in options
    )


def _only_swapped(last_name_key: str, swaps: Collection[str], options: Sequence[Reading]) -> bool:
    """Whether a surname found is there only as a swap: not the start of a surname as typed
    (in the usual order), nor one typed surname first."""
    compact = last_name_key.replace(" ", "")
    return compact in swaps and not any(
        compact == r.surname
        or (not r.surname_first and len(r.surname) >= 3 and compact.startswith(r.surname))
        for r in options
    )


# The order groups appear in (exact identifiers are then moved first). Applications are found
# by an identifier or, after people, by the applicant's name: never both for one search.
_FINDERS: tuple[tuple[str, Finder], ...] = (
    (ACCOUNTS, _accounts),
    (APPLICATIONS, _applications),
    (PERMITS, _permits),
    (PEOPLE, _people),
    (APPLICATIONS, _applications_named),
    (PROPERTIES, _properties),
)


def _item(kind: str, summary, *, person: str | None = None, uprn: int | None = None):
    return ResultItem(kind=kind, summary=summary, url=case_url(person=person, uprn=uprn))


def case_url(*, person: str | None = None, uprn: int | None = None) -> str | None:
    """The case view of a person (by their records reference) or else of a property; None
    when the result names neither."""
    if person:
        return reverse("casework:person_case", args=[person])
    if uprn is not None:
        return reverse("casework:property_case", args=[uprn])
    return None
