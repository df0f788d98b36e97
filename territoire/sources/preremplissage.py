"""New workspaces pre-filled from the sources, and the embedded demonstration.

``territoire init`` creates a workspace for a territory with the actors the
reference data knows (:mod:`.institutions`); ``territoire demo`` adds to them the
demo's illustrative actors, relations and zone files (``data/demo``).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from pathlib import Path

from territoire._data import data_path
from territoire.dossier.creation import add_placement_structure, new_folder, write_workspace
from territoire.dossier.tables import read_table, write_table
from territoire.dossier.workspace import (
    ACTOR_COLUMNS,
    ACTORS_FILE,
    RELATIONS_FILE,
    SETTINGS_FILE,
    ZONES_DIR,
    Settings,
    Workspace,
)
from territoire.referentiel.selection import resolve
from territoire.sources.institutions import reference_actors

DEMO_FOLDER = "demo-grand-perigueux"


def create_workspace(
    path: str | Path,
    territory_spec: str | Sequence[str],
    *,
    structure: str | None = None,
    title: str | None = None,
    author: str = "",
    date: dt.date | None = None,
    prefill: bool = True,
) -> Workspace:
    """Create a workspace folder pre-filled (unless ``prefill`` is false) with the actors
    of the reference data."""
    folder = new_folder(path)
    territory = resolve(territory_spec)
    date = date or dt.date.today()
    rows = reference_actors(territory, date=date.isoformat()) if prefill else []
    structure_id = add_placement_structure(rows, structure, date)
    settings = Settings(
        titre=title or f"Diagnostic territorial — {territory.label}",
        perimetre=territory.tokens,
        territoire_nom=territory.label,
        auteur=author,
        structure=structure_id,
        date=date.isoformat(),
    )
    return write_workspace(folder, settings, rows)


def create_demo(path: str | Path = DEMO_FOLDER) -> Workspace:
    """Copy the embedded demo workspace (Le Grand Périgueux) into ``path``.

    The reference actors (mairies, EPCI, département, région, préfecture) are built
    from the reference data at this moment; the illustrative actors, relations and
    zone files come from the package's data folder.
    """
    source = data_path("demo")
    settings = Settings.from_toml((source / SETTINGS_FILE).read_text("utf-8"), source / SETTINGS_FILE)
    date = dt.date.fromisoformat(settings.date)
    workspace = create_workspace(path, settings.perimetre, title=settings.titre, author=settings.auteur, date=date)
    folder = workspace.path
    illustrative = read_table(source / ACTORS_FILE, ACTOR_COLUMNS)
    actors = workspace.actors
    for record in illustrative.frame.to_dict(orient="records"):
        actors.append(record)
    write_table(actors, folder / ACTORS_FILE)
    shutil.copyfile(source / RELATIONS_FILE, folder / RELATIONS_FILE)
    for item in (source / ZONES_DIR).iterdir():
        shutil.copyfile(item, folder / ZONES_DIR / item.name)
    for extra in ("LISEZMOI.md",):
        if (source / extra).exists():
            shutil.copyfile(source / extra, folder / extra)
    shutil.copyfile(source / SETTINGS_FILE, folder / SETTINGS_FILE)
    return Workspace(folder)
