"""Writing a new workspace folder: settings, the two tables and the zones folder.

What goes into the new directory (the actors pre-filled from the reference data, the
demo's illustrative actors) is decided by the sources layer
(:mod:`territoire.sources.preremplissage`); this module only writes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from territoire._errors import TerritoireError
from territoire._io import atomic_write_text
from territoire._text import name_key, slugify
from territoire.dossier.edition import unique_id
from territoire.dossier.tables import table_from_records, write_table
from territoire.dossier.workspace import (
    ACTOR_COLUMNS,
    ACTORS_FILE,
    RELATION_COLUMNS,
    RELATIONS_FILE,
    SETTINGS_FILE,
    ZONES_DIR,
    Settings,
    Workspace,
)

ZONES_README = """Fichiers de zone (secteurs dessinés à la main, périmètres d'un dispositif…).

Formats acceptés : GeoJSON (.geojson), GeoPackage (.gpkg), Shapefile (.shp avec ses
fichiers compagnons). Le fichier doit contenir des polygones et indiquer sa projection.
Dans acteurs.csv, un acteur s'y réfère par sa couverture : zone:zones/mon-secteur.geojson
"""


def new_folder(path: str | Path) -> Path:
    """The folder of a new workspace; refuses a folder that exists and is not empty."""
    folder = Path(path)
    if folder.exists() and any(folder.iterdir()):
        raise TerritoireError(
            f"le dossier « {folder} » existe déjà et n'est pas vide : choisissez un autre nom "
            "(rien n'a été modifié)"
        )
    return folder


def add_placement_structure(rows: list[dict[str, str]], structure: str | None, date: dt.date) -> str:
    """Identifier of the placement structure named ``structure`` among ``rows``; a row
    to complete is appended when no actor has that name. Empty when no structure."""
    if not structure:
        return ""
    match = [r for r in rows if name_key(r["nom"]) == name_key(structure)]
    if match:
        return match[0]["id"]
    structure_id = unique_id(slugify(structure), [r["id"] for r in rows])
    rows.append(
        {
            "id": structure_id,
            "nom": structure,
            "role": "interne",
            "source": "saisie",
            "mise_a_jour": date.isoformat(),
            "notes": "Structure de stage : complétez le type, la famille, les domaines, la commune et la couverture.",
        }
    )
    return structure_id


def write_workspace(
    folder: Path, settings: Settings, actors: Sequence[Mapping[str, str]]
) -> Workspace:
    """Write a new workspace: ``territoire.toml``, ``acteurs.csv`` (the given rows),
    an empty ``relations.csv`` and ``zones/`` with its read-me."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ZONES_DIR).mkdir(exist_ok=True)
    atomic_write_text(folder / ZONES_DIR / "LISEZMOI.txt", ZONES_README)
    atomic_write_text(folder / SETTINGS_FILE, settings.to_toml())
    write_table(table_from_records(list(actors), ACTOR_COLUMNS), folder / ACTORS_FILE)
    write_table(table_from_records([], RELATION_COLUMNS), folder / RELATIONS_FILE)
    return Workspace(folder)
