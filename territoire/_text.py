"""Small text helpers: name keys, slugs, French number formatting, articles."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^a-z0-9]+")

#: INSEE "type de nom en clair" (TNCC): article written before the name.
ARTICLES = {0: "", 1: "", 2: "Le ", 3: "La ", 4: "Les ", 5: "L'", 6: "Aux ", 7: "Las ", 8: "Los "}
#: INSEE TNCC: "charnière", the form used after "de" (Mairie du Bugue, de la Dordogne).
CHARNIERES = {
    0: "de ",
    1: "d'",
    2: "du ",
    3: "de la ",
    4: "des ",
    5: "de l'",
    6: "des ",
    7: "de las ",
    8: "de los ",
}


def strip_accents(text: str) -> str:
    """Remove diacritics (é → e, œ → oe)."""
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """Comparison key of a name: lower case, no accents, words separated by one space.

    >>> name_key("L'Abergement-Clémenciat")
    'l abergement clemenciat'
    """
    return _NON_ALNUM.sub(" ", strip_accents(str(text)).lower()).strip()


def slugify(text: str, *, max_length: int = 60) -> str:
    """Stable identifier made of a-z, 0-9 and dashes.

    >>> slugify("CCAS de Périgueux")
    'ccas-de-perigueux'
    """
    slug = _NON_ALNUM.sub("-", strip_accents(str(text)).lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip("-")
    return slug or "acteur"


def full_name(name: str, type_nom: int | None) -> str:
    """Official name with its article: ``("Chapelle-Gonaguet", 3)`` → ``"La Chapelle-Gonaguet"``."""
    return f"{ARTICLES.get(int(type_nom or 0), '')}{name}"


def name_with_charniere(name: str, type_nom: int | None) -> str:
    """Name preceded by its "de" form: ``("Dordogne", 3)`` → ``"de la Dordogne"``."""
    return f"{CHARNIERES.get(int(type_nom or 0), 'de ')}{name}"


def _number(value: object) -> float | None:
    """``value`` as a float, or None when missing (None, NaN, pandas.NA)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def fmt_int(value: object) -> str:
    """French thousands separator (narrow no-break space): 3120 → ``3 120``."""
    number = _number(value)
    if number is None:
        return "n.d."
    return f"{round(number):,}".replace(",", "\u202f")


def fmt_float(value: object, digits: int = 1) -> str:
    """French decimal comma: 12.345 → ``12,3``."""
    number = _number(value)
    if number is None:
        return "n.d."
    text = f"{number:,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def fmt_pct(part: float, whole: float, digits: int = 0) -> str:
    """Share of ``whole`` as a French percentage: ``3 %``."""
    if not whole:
        return "n.d."
    return f"{fmt_float(100.0 * part / whole, digits)} %"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``plural(3, "commune")`` → ``"3 communes"`` (French rule: 0 and 1 are singular)."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{fmt_int(count)} {word}"


def join_fr(items: Iterable[str], last: str = "et") -> str:
    """``["a", "b", "c"]`` → ``"a, b et c"``."""
    items = [str(i) for i in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


_RANDOM_IDS = re.compile(
    # one common start (8 hex digits) so that the scan of a large page stays fast
    r"(?<![0-9a-f])[0-9a-f]{8}(?:[0-9a-f]{24}(?![0-9a-f])|-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f-]))"
)


def stable_ids(text: str) -> str:
    """Replace the random identifiers that folium and Bokeh write into pages (32 hex
    digits, UUIDs) by sequential ones, so that the same map gives the same file."""
    mapping: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if len(token) != 32 and match.start() and text[match.start() - 1] == "-":
            return token  # the tail of a longer dashed string, not a UUID
        if token not in mapping:
            n = len(mapping) + 1
            mapping[token] = f"{n:032x}" if len(token) == 32 else f"00000000-0000-4000-8000-{n:012x}"
        return mapping[token]

    return _RANDOM_IDS.sub(replace, text)




def closest_ids(value: str, ids: Sequence[str], limit: int = 3) -> list[str]:
    from rapidfuzz import fuzz, process

    return [m for m, _s, _p in process.extract(value, list(ids), scorer=fuzz.WRatio, limit=limit, score_cutoff=70)]
