"""``territoire reseau``: the partnership network of a workspace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from territoire import referentiel
from territoire._io import atomic_write_text
from territoire.analyses.reseau import NetworkReport, analyse_workspace, write_tables
from territoire.cli._commun import DOSSIER, open_workspace, parse_date_option
from territoire.dossier.annuaire import load_directory
from territoire.rendu.cartes.preparation import source_line
from territoire.rendu.console import render_network
from territoire.rendu.reseau import network_page, partner_map


@click.command()
@DOSSIER
@click.option("--ego", help="Structure dont dresser la carte des partenaires (la structure de stage par défaut).")
@click.option("--rayon", type=click.IntRange(1, 2), default=1, show_default=True, help="2 : ajouter les partenaires des partenaires.")
@click.option("--sans", multiple=True, metavar="ID|SOURCE>CIBLE", help="Scénario : retirer un acteur ou une relation (répétable).")
@click.option("--date", "date_text", metavar="AAAA-MM-JJ", help="Le réseau tel qu'il était à cette date (date du diagnostic par défaut).")
@click.option("--depuis", metavar="AAAA-MM-JJ", help="Début de la période dont résumer l'évolution.")
@click.option("--jusqu-a", "jusqu_a", metavar="AAAA-MM-JJ", help="Fin de la période dont résumer l'évolution.")
@click.option("--taille", type=click.Choice(["degre", "degre_pondere", "intermediarite", "proximite_harmonique", "k_coeur"]), default="degre", show_default=True, help="Mesure qui fixe la taille des acteurs sur la page interactive.")
@click.option("--approx/--exact", default=None, help="Estimer intermédiarité et proximité sur un échantillon (automatique au-delà de 2 000 acteurs).")
@click.option("--format", "fmt", type=click.Choice(["texte", "json"]), default="texte", show_default=True)
def reseau(dossier: Path, ego, rayon, sans, date_text, depuis, jusqu_a, taille, approx, fmt) -> None:
    """Réseau partenarial : centralité, passeurs, isolés, formalisation, carte des partenaires.

    Écrit dans DOSSIER : resultats/reseau_acteurs.csv, resultats/reseau.gexf et
    .graphml (Gephi), cartes/reseau.html (page interactive hors ligne) et
    cartes/partenaires-ID.png/.svg (carte des partenaires).

    \b
    Exemples :
      territoire reseau mon-diagnostic
      territoire reseau mon-diagnostic --ego caf-24 --rayon 2
      territoire reseau mon-diagnostic --sans cs-tilleuls
      territoire reseau mon-diagnostic --date 2024-01-01 --depuis 2023-01-01 --jusqu-a 2026-12-31
    """
    workspace = open_workspace(dossier)
    directory = load_directory(workspace)
    date = parse_date_option(date_text) or workspace.date
    ego = ego or workspace.settings.structure or None
    report = analyse_workspace(
        directory, date=date, ego=ego, radius=rayon, without=sans,
        since=parse_date_option(depuis), until=parse_date_option(jusqu_a), approximate=approx,
    )
    written = write_tables(report, workspace.results_dir())
    maps = workspace.path / "cartes"
    maps.mkdir(exist_ok=True)
    source = source_line(f"annuaire : {workspace.path.name}")
    title = workspace.settings.territoire_nom or workspace.territory().label
    if report.whole["relations"]:
        page = network_page(report.network, report.metrics, title=f"Réseau partenarial — {title}", size_by=taille, source=source)
        atomic_write_text(maps / "reseau.html", page)
        written.append(maps / "reseau.html")
    else:
        click.echo("\nAucune relation en cours dans relations.csv : pas de page interactive du réseau.")
    if report.ego is not None:
        for suffix in ("png", "svg"):
            path = maps / f"partenaires-{report.ego.ego}.{suffix}"
            partner_map(report.ego, path, source=source)
            written.append(path)
    if fmt == "json":
        click.echo(json.dumps(_as_json(report, date), ensure_ascii=False, indent=1, default=str))
        return
    names = referentiel.communes(geometry=False)["nom"]
    click.echo(render_network(report, title=title, commune_names=dict(zip(names.index.tolist(), names.tolist(), strict=True))))
    if ego and report.ego is None:
        click.echo(f"\nNote : « {ego} » n'a aucune relation{(' au ' + format(date, '%d/%m/%Y')) if date else ''} : pas de carte des partenaires.")
    click.echo("\nFichiers : " + ", ".join(str(p) for p in written))


def _records(frame: Any) -> Any:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def _as_json(report: NetworkReport, date: Any) -> dict[str, Any]:
    """The network report as plain data for ``--format json``."""
    data: dict[str, Any] = {
        "date": date.isoformat() if date else None,
        "reseau": report.whole,
        "communautes": report.communities,
        "acteurs": _records(report.metrics.reset_index()),
    }
    if report.ego is not None:
        data["ego"] = {"acteur": report.ego.ego, "partenaires": _records(report.ego.partners.reset_index())}
    if report.scenario is not None:
        data["scenario"] = {
            "devenus_isoles": report.scenario.newly_isolated,
            "composantes_scindees": report.scenario.split_components,
            "couverture_perdue": _records(report.scenario.lost_coverage),
        }
    return data
