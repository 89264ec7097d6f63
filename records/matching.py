"""Name keys for matching and search: the same person's name written differently by different
systems (or typed by a resident) gets the same key.

    name_key("O'Brien") == name_key("OBRIEN") == "obrien"
    name_key("Smith-Jones") == name_key("smith  jones") == "smith jones"
    name_key("Zoë") == name_key("ZOE") == "zoe"
"""

import re
import unicodedata
from functools import lru_cache

# Letters Unicode does not decompose into a base letter plus an accent.
_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ı": "i", "æ": "ae", "Æ": "ae",
     "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d"}
)  # fmt: skip
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_SEPARATORS = re.compile(r"[-‐‑‒–—.,_/]")


# Names repeat a great deal across a borough's records: a sync of a million rows computes the
# key of each distinct name once.
@lru_cache(maxsize=100_000)
def name_key(value: str | None) -> str:
    if not value:
        return ""
    text = unicodedata.normalize("NFKD", value.translate(_UNDECOMPOSED))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _SEPARATORS.sub(" ", text)
    return " ".join(text.split())
