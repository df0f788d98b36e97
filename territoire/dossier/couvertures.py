"""The ``couverture`` cell of an actor: parsing its items (codes, names, radius,
zone file), checking zone files, the default coverage of a type, and describing a
coverage in words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from territoire import referentiel
from territoire._errors import SpecError
from territoire._text import name_key
from territoire.dossier.tables import parse_decimal


@lru_cache(maxsize=4096)
def _resolve_place(token: str):
    from territoire.referentiel.selection import resolve_token

    return resolve_token(token)


def parse_coverage_token(token: str) -> tuple[str, Any]:
    """One coverage item: ``("rayon", 15.0)``, ``("zone", path)``, ``("epci", "200040392")``...

    Raises SpecError with a French message when it cannot be understood.
    """
    text = token.strip()
    prefix, sep, rest = text.partition(":")
    key = name_key(prefix)
    if sep and key in ("rayon", "radius"):
        value = rest.strip().lower().removesuffix("km").strip()
        number = parse_decimal(value)
        if number is None or number < 0:
            raise SpecError(f"« {text} » : le rayon doit être un nombre de kilomètres positif (par ex. rayon:15)")
        return "rayon", number
    if sep and key == "zone":
        if not rest.strip():
            raise SpecError(f"« {text} » : il manque le chemin du fichier de zone (par ex. zone:zones/secteur.geojson)")
        return "zone", rest.strip()
    place = _resolve_place(text)
    return place.kind, place.code


@lru_cache(maxsize=64)
def _zone_file_check(path: str, mtime: float) -> str:
    """Empty string when the zone file holds polygons, else the French reason."""
    import geopandas as gpd

    try:
        zone = gpd.read_file(path)
    except Exception as exc:
        return f"fichier de zone illisible ({type(exc).__name__} : {str(exc)[:120]})"
    if zone.empty or zone.geometry.isna().all():
        return "le fichier de zone ne contient aucune géométrie"
    kinds = set(zone.geometry.dropna().geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        return f"le fichier de zone doit contenir des polygones (trouvé : {', '.join(sorted(kinds))})"
    if zone.crs is None:
        return "le fichier de zone n'indique pas sa projection (CRS)"
    return ""


def check_zone_file(path: Path) -> str:
    if not path.exists():
        return f"fichier de zone introuvable : {path}"
    return _zone_file_check(str(path), path.stat().st_mtime)


def workspace_file(root: Path, relative: str) -> Path:
    path = Path(relative)
    return path if path.is_absolute() else root / path


def default_coverage(level: str, commune: str | None, facts: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, Any]]:
    """Coverage implied by the type when the cell is empty."""
    if level == "france":
        return [("france", "france")]
    if commune is None:
        return []
    if level == "commune":
        return [("commune", commune)]
    code = facts[level].get(commune) if level in facts else None
    if code is None or pd.isna(code) or code == "":
        return [("commune", commune)]
    return [(level, code)]


def describe_coverage(items: Sequence[tuple[str, Any]], *, default: bool = False) -> str:
    """Coverage in words: ``département de la Dordogne``, ``3 communes``, ``rayon de 12 km``."""
    if not items:
        return "non déterminée"
    facts = referentiel.commune_facts()
    parts: list[str] = []
    commune_items = [v for k, v in items if k == "commune"]
    if len(commune_items) == 1:
        parts.append(str(facts["nom"][commune_items[0]]))
    elif commune_items:
        parts.append(f"{len(commune_items)} communes")
    for kind, value in items:
        if kind == "epci":
            parts.append(str(referentiel.epci(geometry=False).at[value, "nom"]))
        elif kind == "departement":
            deps = referentiel.departements(geometry=False)
            parts.append(f"département {deps.at[value, 'nom_avec_charniere']}")
        elif kind == "region":
            parts.append(f"région {referentiel.regions(geometry=False).at[value, 'nom_avec_charniere']}")
        elif kind == "canton":
            parts.append(f"canton {referentiel.cantons(geometry=False).at[value, 'nom']}")
        elif kind == "france":
            parts.append("France entière")
        elif kind == "rayon":
            parts.append(f"rayon de {value:g} km".replace(".", ","))
        elif kind == "zone":
            parts.append(f"zone {Path(value).name}")
    text = ", ".join(parts)
    return f"{text} (par défaut selon le type)" if default else text
