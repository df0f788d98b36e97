"""Controlled vocabularies of a workspace (families, types, domains, publics, ...).

They live in ``data/schemas/vocabulaires.toml``, readable by anyone. A value may be
written as its code, its French label or one of its aliases, case and accents
ignored: :meth:`Vocabulary.normalize` turns it into the code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from territoire._data import data_path
from territoire._errors import VocabularyError
from territoire._text import name_key

#: Vocabulary name → (French name, "is not a known …" phrase) used in messages.
VOCABULARY_NAMES = {
    "familles": ("famille", "une famille connue"),
    "types": ("type de structure", "un type de structure connu"),
    "domaines": ("domaine", "un domaine connu"),
    "publics": ("public", "un public connu"),
    "roles": ("rôle", "un rôle connu"),
    "categories": ("catégorie de partenaire", "une catégorie connue"),
    "niveaux_reseau": ("niveau de réseau", "un niveau de réseau connu"),
    "statuts": ("statut", "un statut connu"),
    "types_relation": ("type de relation", "un type de relation connu"),
    "formes": ("forme de partenariat", "une forme de partenariat connue"),
    "formalisations": ("formalisation", "une formalisation connue"),
}


@dataclass(frozen=True)
class Vocabulary:
    """One controlled list: ordered codes with labels, aliases and attributes."""

    name: str
    entries: dict[str, dict[str, Any]]
    _lookup: dict[str, str] = field(repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for code, entry in self.entries.items():
            for text in (code, entry["libelle"], *entry.get("alias", [])):
                key = name_key(text)
                if key in lookup and lookup[key] != code:
                    raise ValueError(f"{self.name}: « {text} » désigne {lookup[key]} et {code}")
                lookup[key] = code
        object.__setattr__(self, "_lookup", lookup)

    @property
    def codes(self) -> list[str]:
        return list(self.entries)

    def label(self, code: str) -> str:
        """French label of ``code`` (the code itself when unknown)."""
        entry = self.entries.get(code)
        return entry["libelle"] if entry else code

    def get(self, code: str, attribute: str, default: Any = None) -> Any:
        return self.entries.get(code, {}).get(attribute, default)

    def lookup(self, value: str) -> str | None:
        """Code of ``value`` (code, label or alias, case and accents ignored), or None."""
        return self._lookup.get(name_key(value))

    def closest(self, value: str, limit: int = 3) -> list[str]:
        """Codes whose code, label or alias is closest to ``value``."""
        from rapidfuzz import fuzz, process

        found = process.extract(
            name_key(value), list(self._lookup), scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=60
        )
        codes: list[str] = []
        for key, _score, _pos in found:
            code = self._lookup[key]
            if code not in codes:
                codes.append(code)
        return codes[:limit]

    def explain_unknown(self, value: str) -> str:
        """French message for a value outside the vocabulary, with the closest ones."""
        close = self.closest(value)
        hint = f" Vouliez-vous dire : {', '.join(close)} ?" if close else ""
        accepted = ", ".join(self.codes) if len(self.codes) <= 25 else (
            ", ".join(self.codes[:25]) + ", … (liste complète : territoire vocabulaire " + self.name + ")"
        )
        known = VOCABULARY_NAMES.get(self.name, (self.name, f"une valeur connue ({self.name})"))[1]
        return f"« {value} » n'est pas {known}.{hint} Valeurs acceptées : {accepted}."

    def normalize(self, value: str) -> str:
        """Code of ``value``; :class:`VocabularyError` with suggestions when unknown."""
        code = self.lookup(value)
        if code is None:
            raise VocabularyError(self.explain_unknown(value))
        return code


@lru_cache(maxsize=1)
def _load() -> dict[str, Vocabulary]:
    with data_path("schemas", "vocabulaires.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    return {name: Vocabulary(name, entries) for name, entries in raw.items()}


def vocabulary(name: str) -> Vocabulary:
    """The vocabulary called ``name`` (``familles``, ``types``, ``domaines``, ...)."""
    vocabularies = _load()
    if name not in vocabularies:
        raise KeyError(name)
    return vocabularies[name]


def all_vocabularies() -> dict[str, Vocabulary]:
    return dict(_load())


def default_family(type_code: str) -> str | None:
    return vocabulary("types").get(type_code, "famille")


def default_coverage(type_code: str) -> str:
    """Default coverage level of a structure type (``commune`` when unknown)."""
    return vocabulary("types").get(type_code, "couverture", "commune")


def is_directed(relation_type: str) -> bool:
    return bool(vocabulary("types_relation").get(relation_type, "oriente", False))


def partner_category(role: str) -> str | None:
    """Practical partner category of a role (internes, terrain, financeurs, prescripteurs)."""
    return vocabulary("roles").get(role, "categorie")
