"""Select a territory by name or code and resolve it to a set of communes.

One grammar serves the ``profil`` command, the workspace's territory and every
actor's coverage (``couverture``). A specification is a list of tokens:

- ``24322`` (5 characters, 2A/2B included): a commune, by INSEE code;
- ``200040392`` (9 digits): an EPCI, by SIREN;
- ``24``, ``2A``, ``974`` (2 or 3 characters): a département;
- ``region:75``, ``canton:2412``: a région or a canton (a région code alone would
  collide with a département code, so it always carries its prefix);
- ``commune:…``, ``epci:…``, ``departement:…`` followed by a code or a name;
- ``france``: every commune;
- a name, alone (``Le Grand Périgueux``) or with its département between brackets
  (``Saint-Martin (32)``). Names are compared without case, accents or punctuation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from territoire import referentiel
from territoire._errors import (
    AmbiguousNameError,
    SpecError,
    UnknownCodeError,
    UnknownNameError,
    WrongKindError,
)
from territoire._text import join_fr, name_key

KINDS = ("commune", "epci", "canton", "departement", "region", "france")

#: French names of each kind, for messages.
KIND_LABELS = {
    "commune": "commune",
    "epci": "EPCI",
    "canton": "canton",
    "departement": "département",
    "region": "région",
    "france": "France",
}
_KIND_ALIASES = {
    "commune": "commune",
    "communes": "commune",
    "com": "commune",
    "epci": "epci",
    "siren": "epci",
    "interco": "epci",
    "intercommunalite": "epci",
    "canton": "canton",
    "departement": "departement",
    "dep": "departement",
    "dept": "departement",
    "region": "region",
    "reg": "region",
}
#: Order of preference when one name designates the same communes under several kinds.
_KIND_ORDER = {"commune": 0, "epci": 1, "canton": 2, "departement": 3, "region": 4}

_COMMUNE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$", re.IGNORECASE)
_DEPARTEMENT_CODE = re.compile(r"^(?:\d{2}|2[AB]|97\d)$", re.IGNORECASE)
_EPCI_CODE = re.compile(r"^\d{9}$")
_CANTON_CODE = re.compile(r"^(?:\d{4}|2[AB]\d{2}|97\d{3})$", re.IGNORECASE)
_REGION_CODE = re.compile(r"^\d{2}$")
_WITH_DEPARTEMENT = re.compile(r"^(?P<name>.+?)\s*\((?P<dep>\d{2,3}|2[AB])\)$", re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    """One named administrative unit (a commune, an EPCI, a canton, ...)."""

    kind: str
    code: str
    name: str
    departements: tuple[str, ...] = ()

    @property
    def token(self) -> str:
        """Canonical token of the place (``epci:200040392``)."""
        return "france" if self.kind == "france" else f"{self.kind}:{self.code}"

    def describe(self) -> str:
        """``Saint-Martin (commune, Gers 32, code 32385)``."""
        deps = _departement_names()
        where = ", ".join(f"{deps.get(d, d)} {d}" for d in self.departements[:3])
        if len(self.departements) > 3:
            where += "…"
        detail = KIND_LABELS[self.kind] + (f", {where}" if where and self.kind != "departement" else "")
        return f"{self.name} ({detail}, code {self.code})"


@dataclass(frozen=True)
class Territory:
    """A resolved territory: its places and the sorted INSEE codes of its communes."""

    places: tuple[Place, ...]
    communes: tuple[str, ...] = field(repr=False)

    @property
    def tokens(self) -> list[str]:
        """Canonical specification, stable across name changes (stored in workspaces)."""
        return [p.token for p in self.places]

    @property
    def kind(self) -> str:
        kinds = {p.kind for p in self.places}
        return kinds.pop() if len(kinds) == 1 else "mixte"

    @property
    def label(self) -> str:
        """Human label: ``Communauté d'agglomération Le Grand Périgueux``."""
        if len(self.places) == 1:
            place = self.places[0]
            if place.kind == "departement":
                return f"Département {_charniere('departement', place.code)}"
            if place.kind == "region":
                return f"Région {_charniere('region', place.code)}"
            if place.kind == "canton":
                return f"Canton {place.name}"
            return place.name
        if self.kind == "commune" and len(self.places) <= 3:
            return join_fr(p.name for p in self.places)
        return f"{len(self.places)} territoires ({join_fr([p.name for p in self.places[:3]] + ['…'] if len(self.places) > 3 else [p.name for p in self.places])})"

    @property
    def departements(self) -> list[str]:
        table = referentiel.communes(geometry=False)
        return sorted(set(table.loc[list(self.communes), "departement"]))


# --------------------------------------------------------------------------- indexes


@lru_cache(maxsize=1)
def _names_index():
    """Every searchable name: kind, code, display name, département(s), key."""
    import pandas as pd

    frames = []

    def add(kind, codes, names, departements, keys):
        frames.append(
            pd.DataFrame(
                {"kind": kind, "code": codes, "name": names, "departements": departements, "key": keys}
            )
        )

    com = referentiel.communes(geometry=False)
    deps = [(d,) for d in com["departement"]]
    add("commune", com.index, com["nom"], deps, com["cle_nom"])
    with_article = com["nom"] != com["nom_sans_article"]
    add(
        "commune", com.index[with_article], com["nom"][with_article],
        [d for d, keep in zip(deps, with_article, strict=True) if keep],
        com["cle_nom_sans_article"][with_article],
    )
    epci = referentiel.epci(geometry=False)
    deps = [tuple(d.split("|")) for d in epci["departements"]]
    short = epci["nom_court"].map(name_key)
    for keys in (epci["nom"].map(name_key), short, short.map(_without_article)):
        add("epci", epci.index, epci["nom"], deps, keys)
    can = referentiel.cantons(geometry=False)
    deps = [(d,) for d in can["departement"]]
    keys = can["nom"].map(name_key)
    add("canton", can.index, can["nom"], deps, keys)
    add("canton", can.index, can["nom"], deps, keys.map(_without_article))
    dep = referentiel.departements(geometry=False)
    add("departement", dep.index, dep["nom"], [(c,) for c in dep.index], dep["nom"].map(name_key))
    reg = referentiel.regions(geometry=False)
    add(
        "region", reg.index, reg["nom"], [tuple(d.split("|")) for d in reg["departements"]],
        reg["nom"].map(name_key),
    )
    index = pd.concat(frames, ignore_index=True)
    return index.drop_duplicates(["kind", "code", "key"]).reset_index(drop=True)


def _without_article(key: str) -> str:
    for article in ("le ", "la ", "les ", "l "):
        if key.startswith(article):
            return key[len(article) :]
    return key


@lru_cache(maxsize=1)
def _departement_names() -> dict[str, str]:
    dep = referentiel.departements(geometry=False)
    return dict(zip(dep.index, dep["nom"], strict=True))


def _charniere(kind: str, code: str) -> str:
    table = referentiel.departements(geometry=False) if kind == "departement" else referentiel.regions(geometry=False)
    return str(table.at[code, "nom_avec_charniere"])


@lru_cache(maxsize=1)
def unit_communes() -> dict[str, dict[str, tuple[str, ...]]]:
    """Communes of every EPCI, canton, département and région (computed once)."""
    import numpy as np

    com = referentiel.communes(geometry=False)
    codes = np.asarray(com.index.tolist(), dtype=object)

    def grouped(keys: np.ndarray, values: np.ndarray) -> dict[str, tuple[str, ...]]:
        order = np.argsort(keys, kind="stable")
        unique, starts = np.unique(keys[order], return_index=True)
        bounds = [*list(starts), len(order)]
        return {
            key: tuple(values[order[bounds[i]:bounds[i + 1]]].tolist())
            for i, key in enumerate(unique.tolist()) if key
        }

    out = {kind: grouped(np.asarray(com[kind].fillna("").tolist()), codes) for kind in ("epci", "departement", "region")}
    pairs = [(canton, code) for code, value in zip(codes.tolist(), com["cantons"].tolist(), strict=True) for canton in value.split("|") if canton]
    out["canton"] = grouped(np.asarray([c for c, _ in pairs]), np.asarray([v for _, v in pairs], dtype=object))
    return out


def communes_of(place: Place) -> tuple[str, ...]:
    """Sorted INSEE codes of the communes of ``place``."""
    if place.kind == "commune":
        return (place.code,)
    if place.kind == "france":
        return tuple(sorted(referentiel.communes(geometry=False).index))
    return unit_communes()[place.kind].get(place.code, ())


# --------------------------------------------------------------------------- resolution


def _place_from_code(kind: str, code: str) -> Place | None:
    """The place of that kind and code, or None when the code does not exist."""
    if kind == "commune":
        table = referentiel.communes(geometry=False)
        if code in table.index:
            return Place("commune", code, table.at[code, "nom"], (table.at[code, "departement"],))
        return None
    if kind == "epci":
        table = referentiel.epci(geometry=False)
        if code in table.index:
            return Place("epci", code, table.at[code, "nom"], tuple(table.at[code, "departements"].split("|")))
        return None
    if kind == "canton":
        table = referentiel.cantons(geometry=False)
        if code in table.index:
            return Place("canton", code, table.at[code, "nom"], (table.at[code, "departement"],))
        return None
    if kind == "departement":
        table = referentiel.departements(geometry=False)
        if code in table.index:
            return Place("departement", code, table.at[code, "nom"], (code,))
        return None
    if kind == "region":
        table = referentiel.regions(geometry=False)
        if code in table.index:
            return Place("region", code, table.at[code, "nom"], tuple(table.at[code, "departements"].split("|")))
        return None
    raise ValueError(kind)


def _guess_code_kind(text: str) -> str | None:
    """Kind of territory a bare code designates by its shape (None: not a code)."""
    if _EPCI_CODE.match(text):
        return "epci"
    if _COMMUNE_CODE.match(text):
        return "commune"
    if _DEPARTEMENT_CODE.match(text):
        return "departement"
    return None


def _looks_like_code(text: str) -> bool:
    return bool(re.fullmatch(r"\d[\dAB]*|2[AB]\d*", text, re.IGNORECASE))


def _other_kinds_with_code(code: str, expected: str) -> list[Place]:
    found = []
    for kind in ("commune", "epci", "canton", "departement", "region"):
        if kind == expected:
            continue
        place = _place_from_code(kind, code)
        if place is not None:
            found.append(place)
    return found


def _resolve_code(kind: str, code: str) -> Place:
    code = code.strip().upper()
    if kind == "commune" and re.fullmatch(r"\d{4}", code):
        code = "0" + code  # a spreadsheet dropped the leading zero
    if kind == "departement" and re.fullmatch(r"\d", code):
        code = "0" + code
    place = _place_from_code(kind, code)
    if place is not None:
        return place
    others = _other_kinds_with_code(code, kind)
    if others:
        other = others[0]
        option = _OPTION_OF_KIND[other.kind]
        raise WrongKindError(
            f"« {code} » n'est pas un code {_OF_KIND[kind]} : c'est le code "
            f"{_article(other.kind)}{other.name}. Utilisez {option} {code}."
        )
    raise UnknownCodeError(f"{_NONE_OF_KIND[kind]} n'a le code « {code} » ({_EXPECTED_CODE[kind]}).")


_OPTION_OF_KIND = {
    "commune": "--commune",
    "epci": "--epci",
    "canton": "--canton",
    "departement": "--departement",
    "region": "--region",
}
_OF_KIND = {
    "commune": "de commune",
    "epci": "d'EPCI",
    "canton": "de canton",
    "departement": "de département",
    "region": "de région",
}
_NONE_OF_KIND = {
    "commune": "Aucune commune",
    "epci": "Aucun EPCI",
    "canton": "Aucun canton",
    "departement": "Aucun département",
    "region": "Aucune région",
}
_EXPECTED_CODE = {
    "commune": "code INSEE à 5 caractères, par exemple 24322",
    "epci": "SIREN à 9 chiffres, par exemple 200040392",
    "canton": "code à 4 ou 5 caractères, par exemple 2412",
    "departement": "code à 2 ou 3 caractères, par exemple 24, 2A ou 974",
    "region": "code à 2 chiffres, par exemple 75",
}


def _article(kind: str) -> str:
    return {
        "commune": "de la commune ",
        "epci": "de l'EPCI ",
        "canton": "du canton ",
        "departement": "du département ",
        "region": "de la région ",
    }[kind]


def _search(text: str, kinds: Sequence[str]) -> list[Place]:
    """Places whose name matches ``text`` exactly (case, accents and punctuation ignored)."""
    index = _names_index()
    match = _WITH_DEPARTEMENT.match(text.strip())
    dep_hint = None
    if match:
        text, dep_hint = match.group("name"), match.group("dep").upper()
    key = name_key(text)
    hits = index[(index["key"] == key) & index["kind"].isin(kinds)]
    if dep_hint:
        hits = hits[[dep_hint in deps for deps in hits["departements"]]]
    places = {
        (row.kind, row.code): Place(row.kind, row.code, row.name, row.departements)
        for row in hits.itertuples()
    }
    return sorted(places.values(), key=lambda p: (_KIND_ORDER[p.kind], p.departements, p.code))


def suggest(text: str, kinds: Sequence[str], limit: int = 5) -> list[Place]:
    """Closest names to ``text`` (for misspellings), best first."""
    from rapidfuzz import fuzz, process

    index = _names_index()
    index = index[index["kind"].isin(kinds)]
    key = name_key(_WITH_DEPARTEMENT.sub(r"\g<name>", text.strip()))
    choices = index["key"].tolist()
    found = process.extract(
        key, choices, scorer=fuzz.token_sort_ratio, limit=limit * 4, score_cutoff=75
    )
    places: dict[tuple[str, str], tuple[float, Place]] = {}
    for _choice, score, pos in found:
        row = index.iloc[pos]
        ident = (row["kind"], row["code"])
        if ident not in places or places[ident][0] < score:
            places[ident] = (score, Place(row["kind"], row["code"], row["name"], row["departements"]))
    ranked = sorted(places.values(), key=lambda sp: (-sp[0], _KIND_ORDER[sp[1].kind]))
    return [p for _, p in ranked[:limit]]


def resolve_name(text: str, kinds: Sequence[str] = ("commune", "epci", "departement", "region")) -> Place:
    """The one place named ``text``; clear errors for ambiguous or unknown names."""
    text = text.strip()
    if not text:
        raise SpecError("Le nom du territoire est vide.")
    hits = _search(text, kinds)
    if not hits:
        close = suggest(text, kinds)
        if close:
            listed = " ; ".join(p.describe() for p in close)
            raise UnknownNameError(f"« {text} » est introuvable. Vouliez-vous dire : {listed} ?", [p.name for p in close])
        labels = join_fr([KIND_LABELS[k] for k in kinds], "ni")
        raise UnknownNameError(f"« {text} » n'est le nom d'aucun territoire connu ({labels}).", [])
    if len(hits) == 1:
        return hits[0]
    sets = {communes_of(p) for p in hits}
    if len(sets) == 1:
        return hits[0]  # same communes under several kinds (Paris, Mayotte...)
    listed = " ; ".join(p.describe() for p in hits[:8])
    more = f" (et {len(hits) - 8} autres)" if len(hits) > 8 else ""
    example = hits[0]
    hint = (
        f"« {example.name} ({example.departements[0]}) »"
        if len({p.departements for p in hits}) == len(hits) and example.departements
        else f"{_OPTION_OF_KIND[example.kind]} {example.code}"
    )
    raise AmbiguousNameError(
        f"« {text} » désigne plusieurs territoires : {listed}{more}. Précisez, par exemple {hint}.",
        [p.describe() for p in hits],
    )


def resolve_token(token: str, kind: str | None = None) -> Place:
    """Resolve one token of a specification (see the module docstring)."""
    text = str(token).strip()
    if not text:
        raise SpecError("Un élément de la liste est vide.")
    if kind is None:
        prefix, sep, rest = text.partition(":")
        alias = _KIND_ALIASES.get(name_key(prefix).replace(" ", ""))
        if sep and alias:
            kind, text = alias, rest.strip()
            if not text:
                raise SpecError(f"« {token} » : il manque un code ou un nom après « {prefix}: ».")
        elif name_key(text) == "france":
            return Place("france", "france", "France", ())
    if kind is None:
        guessed = _guess_code_kind(text)
        if guessed:
            return _resolve_code(guessed, text)
        if _looks_like_code(text):
            raise UnknownCodeError(
                f"« {text} » n'a la forme d'aucun code : commune (5 caractères), EPCI (9 chiffres), "
                "département (2 ou 3 caractères), « region:75 » ou « canton:2412 »."
            )
        return resolve_name(text)
    if kind == "france":
        return Place("france", "france", "France", ())
    if _looks_like_code(text) or (kind in ("canton",) and _CANTON_CODE.match(text)):
        return _resolve_code(kind, text)
    return resolve_name(text, (kind,))


def _is_code_list(text: str) -> bool:
    items = [item.strip() for item in text.split(",")]
    return len(items) > 1 and all(":" in item or _looks_like_code(item) for item in items if item)


def split_list(value: str | Iterable[str]) -> list[str]:
    """Items of a list given as ``a|b`` or ``a,b`` (or already a list)."""
    if isinstance(value, str):
        separator = "|" if "|" in value else ","
        return [item.strip() for item in value.split(separator)]
    return [str(item).strip() for item in value]


def resolve(spec: str | Iterable[str], kind: str | None = None) -> Territory:
    """Resolve a specification (one token, or several) to a :class:`Territory`.

    >>> resolve("200040392").label  # doctest: +SKIP
    "Communauté d'agglomération Le Grand Périgueux"
    """
    # A single free-text name may contain a comma; lists use "|" (or "," for codes).
    if isinstance(spec, str) and kind is None and "|" not in spec and not _is_code_list(spec):
        tokens = [spec.strip()]
    else:
        tokens = [t for t in split_list(spec) if t]
    if not tokens or not any(tokens):
        what = f"de {KIND_LABELS[kind]}s" if kind else "de territoires"
        raise SpecError(f"La liste {what} est vide.")
    places: list[Place] = []
    for token in tokens:
        place = resolve_token(token, kind)
        if place not in places:
            places.append(place)
    codes: set[str] = set()
    for place in places:
        codes.update(communes_of(place))
    if not codes:
        raise SpecError(f"Le territoire « {', '.join(tokens)} » ne contient aucune commune.")
    return Territory(tuple(places), tuple(sorted(codes)))
