"""UK postcodes as the council's gazetteer writes them ("E8 1DY"): the one pattern and the one
normaliser that every caller uses (the feeds' contract, the parking journey, council tax
linking, the officer's address search and the contact centre's search). Pure: no Django."""

from __future__ import annotations

import re
from functools import lru_cache

# Spaces taken out: the outward code (area, district) and the inward code (sector, and two
# letters of which C, I, K, M, O and V are never used). GIR 0AA is Girobank's, still valid.
POSTCODE = re.compile(r"GIR0AA|[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}")


# Postcodes repeat across a snapshot's rows: each distinct value is worked out once (the sync's
# speed, docs/performance.md).
@lru_cache(maxsize=100_000)
def normalise_postcode(value: str) -> str | None:
    """ "e81dy", " E8  1DY " → "E8 1DY"; None when it is not a UK postcode."""
    compact = "".join(value.split()).upper()
    if not POSTCODE.fullmatch(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"
