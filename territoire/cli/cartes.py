"""``territoire carte``, ``decoupage`` and ``stage``: maps of a workspace's actors, of
administrative boundaries, and of a placement area."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from territoire._errors import TerritoireError
from territoire._io import atomic_write_text
from territoire._text import fmt_float, fmt_int, slugify
from territoire.cli._commun import (
    DOSSIER,
    ensure_referentiel,
    open_workspace,
    resolve_territory,
    territory_options,
)
from territoire.rendu.cartes.ecriture import FORMATS, write_map
from territoire.rendu.cartes.preparation import (
    prepare_actors_map,
    prepare_boundaries_map,
    prepare_placement_area,
)
from territoire.rendu.console import table


def map_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--dpi", type=click.IntRange(50, 600), default=150, show_default=True, help="Résolution des images (300 pour l'impression).")(func)
    func = click.option("--fond", type=click.Choice(["osm", "ign", "aucun"]), default="osm", show_default=True, help="Fond de carte HTML : OpenStreetMap, Plan IGN, ou aucun (sans internet).")(func)
    func = click.option("--sortie", type=click.Path(dir_okay=False, path_type=Path), help="Fichier à écrire.")(func)
    func = click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default=None, help="html (par défaut), png, svg ou pdf ; déduit de --sortie sinon.")(func)
    return func


def _map_target(fmt: str | None, sortie: Path | None, default_dir: Path, stem: str) -> tuple[str, Path]:
    """Format and file of a map: from ``--format``, else from ``--sortie``'s suffix."""
    if fmt is None:
        suffix = sortie.suffix.lstrip(".").lower() if sortie is not None else ""
        fmt = suffix if suffix in FORMATS else "html"
    if sortie is None:
        sortie = default_dir / f"{stem}.{fmt}"
    elif sortie.suffix.lstrip(".").lower() != fmt:
        if sortie.suffix:
            raise TerritoireError(f"l'extension de « {sortie.name} » ne correspond pas au format {fmt}.")
        sortie = sortie.with_suffix(f".{fmt}")
    return fmt, sortie


def _write(kind: str, data: Any, fmt: str, path: Path, fond: str, dpi: int) -> None:
    write_map(kind, data, path, fmt, fond=fond, dpi=dpi)
    click.echo(f"Carte écrite : {path}")


@click.command()
@DOSSIER
@click.option("--domaine", help="Un domaine : carte de couverture (zones blanches, chevauchements).")
@click.option("--famille", help="Seulement les acteurs de cette famille.")
@click.option("--type", "type_code", help="Seulement les acteurs de ce type.")
@map_options
def carte(dossier: Path, domaine, famille, type_code, fmt, sortie, fond, dpi) -> None:
    """Carte des acteurs : communes, EPCI, acteurs, zones d'intervention, relations.

    Par défaut, une page HTML interactive dans DOSSIER/cartes/ ; en PNG, SVG ou PDF,
    une carte statique en Lambert-93 à coller dans un document.

    \b
    Exemples :
      territoire carte mon-diagnostic
      territoire carte mon-diagnostic --domaine mobilite --fond aucun
      territoire carte mon-diagnostic --domaine numerique --format png --dpi 300
    """
    workspace = open_workspace(dossier)
    stem = "carte-acteurs" + "".join(f"-{slugify(v)}" for v in (domaine, famille, type_code) if v)
    fmt, path = _map_target(fmt, sortie, workspace.path / "cartes", stem)
    data = prepare_actors_map(workspace, domaine=domaine, famille=famille, type_code=type_code)
    _write("acteurs", data, fmt, path, fond, dpi)


@click.command()
@click.argument("nom", required=False)
@territory_options
@click.option("--niveaux", default=None, help="Niveaux séparés par des virgules : communes, cantons, epci, arrondissements, departements, regions.")
@map_options
def decoupage(nom, niveaux, fmt, sortie, fond, dpi, **codes) -> None:
    """Carte des découpages administratifs d'un département ou d'une région (formateurs).

    Une couche par niveau, des traits de plus en plus épais du plus fin au plus large.

    \b
    Exemples :
      territoire decoupage --departement 24
      territoire decoupage --region 75 --niveaux epci,departements --format png
    """
    territory = resolve_territory(nom, **codes)
    if niveaux:
        levels = [v.strip().lower() for v in niveaux.split(",") if v.strip()]
    else:
        levels = ["communes", "cantons", "epci", "departements"] + (["regions"] if territory.kind == "region" else [])
    fmt, path = _map_target(fmt, sortie, Path("maps"), f"decoupage-{slugify(territory.label)}")
    data = prepare_boundaries_map(territory, levels)
    _write("decoupage", data, fmt, path, fond, dpi)
    for note in data.notes:
        click.echo(f"Note : {note}")


@click.command()
@click.option("--lieu", required=True, help="Lieu de stage : commune (nom ou code) ou « latitude,longitude ».")
@click.option("--rayon", type=click.FloatRange(0.5, 200), default=20.0, show_default=True, help="Rayon en kilomètres.")
@click.option("--dossier", type=click.Path(file_okay=False, path_type=Path), help="Dossier de diagnostic dont montrer les acteurs (les mairies sinon).")
@map_options
def stage(lieu: str, rayon: float, dossier: Path | None, fmt, sortie, fond, dpi) -> None:
    """Zone de stage : cercle autour du lieu, communes et acteurs dans le rayon, distances.

    \b
    Exemples :
      territoire stage --lieu "Périgueux" --rayon 15
      territoire stage --lieu "45.18,0.72" --rayon 20 --dossier mon-diagnostic
    """
    workspace = open_workspace(dossier) if dossier is not None else None
    if workspace is None:
        ensure_referentiel()
    data = prepare_placement_area(lieu, rayon, workspace=workspace)
    stem = f"stage-{slugify(data.site_label.replace('mairie de ', ''))}-{rayon:g}km"
    default_dir = workspace.path / "cartes" if workspace is not None else Path("maps")
    fmt, path = _map_target(fmt, sortie, default_dir, stem)
    _write("stage", data, fmt, path, fond, dpi)
    inside = data.communes[data.communes["dans_le_rayon"]]
    click.echo(f"{data.title}")
    click.echo(f"{len(inside)} communes dont la mairie est dans le rayon ({fmt_int(inside['population'].sum())} habitants) ; "
               f"{len(data.actors)} acteur(s) ({data.actors_from}).")
    rows = [(a.get("nom", ident)[:45], a.get("type_libelle", "")[:30], fmt_float(a["distance_km"], 1)) for ident, a in data.actors.head(25).iterrows()]
    if rows:
        click.echo(table(rows, ["Acteur", "Type", "Distance (km)"], align=["left", "left", "right"]))
        if len(data.actors) > 25:
            click.echo(f"… et {len(data.actors) - 25} autres (voir le tableau CSV).")
    csv_path = path.with_name(path.stem + "-distances.csv")
    out = data.actors.drop(columns="geometry")[[c for c in ("nom", "type", "type_libelle", "commune_nom", "adresse", "telephone", "distance_km") if c in data.actors.columns]]
    communes = data.communes.drop(columns="geometry")[["nom", "population", "distance_km", "part_dans_le_rayon", "dans_le_rayon"]]
    atomic_write_text(csv_path, "\ufeff" + out.to_csv(sep=";", lineterminator="\n"))
    atomic_write_text(path.with_name(path.stem + "-communes.csv"), "\ufeff" + communes.to_csv(sep=";", lineterminator="\n"))
    click.echo(f"Distances : {csv_path}")
