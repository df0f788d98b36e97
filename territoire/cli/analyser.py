"""``territoire analyser``: every coverage analysis of a workspace, as tables."""

from __future__ import annotations

import json
from pathlib import Path

import click

from territoire._errors import TerritoireError
from territoire.analyses.couverture import Options, analyse, write_tables
from territoire.cli._commun import DOSSIER, list_option, open_workspace, parse_date_option
from territoire.dossier.annuaire import load_directory
from territoire.rendu.console import render_analysis


@click.command()
@DOSSIER
@click.option("--domaines", help="Domaines à analyser, séparés par des virgules (tous ceux de l'annuaire sinon).")
@click.option("--types", "types_", help="Ne garder que ces types de structure.")
@click.option("--familles", help="Ne garder que ces familles.")
@click.option("--publics", help="Ne garder que les acteurs de ces publics (et « tous publics »).")
@click.option("--seuil", type=click.FloatRange(0.01, 1.0), default=0.5, show_default=True, help="Part de sa surface qu'un rayon ou une zone doit couvrir pour qu'une commune compte.")
@click.option("--distances", default="10,20,30", show_default=True, help="Seuils de distance (km) pour la population éloignée.")
@click.option("--date", "date_text", metavar="AAAA-MM-JJ", help="Date des relations prises en compte (date du diagnostic sinon).")
@click.option("--format", "fmt", type=click.Choice(["texte", "json"]), default="texte", show_default=True, help="Résumé en texte, ou tous les tableaux en JSON.")
def analyser(dossier: Path, domaines, types_, familles, publics, seuil: float, distances: str, date_text: str | None, fmt: str) -> None:
    """Couverture du territoire : zones blanches, chevauchements, découpages, distances.

    Écrit un tableau CSV par analyse dans DOSSIER/resultats/ et affiche les
    principaux constats en chiffres.

    \b
    Exemples :
      territoire analyser mon-diagnostic
      territoire analyser mon-diagnostic --domaines mobilite,numerique --distances 5,10,20
    """
    try:
        limits = tuple(float(v.replace(",", ".")) for v in (list_option(distances.replace(",", "|")) or []))
    except ValueError:
        raise TerritoireError(f"--distances « {distances} » : écrivez des kilomètres séparés par des virgules (10,20,30).") from None
    options = Options(
        domaines=list_option(domaines), types=list_option(types_), familles=list_option(familles),
        publics=list_option(publics), threshold=seuil, distances=limits or (10.0, 20.0, 30.0),
        date=parse_date_option(date_text),
    )
    workspace = open_workspace(dossier)
    directory = load_directory(workspace)
    result = analyse(directory, options)
    folder = workspace.results_dir()
    write_tables(result, folder, json_too=fmt == "json")
    if fmt == "json":
        data = {name: json.loads(table.to_json(orient="records", force_ascii=False, date_format="iso")) for name, table in result.tables().items()}
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(render_analysis(result, folder))
    errors = [p for p in directory.problems if p.gravite == "erreur"]
    if errors:
        click.echo(f"\nAttention : l'annuaire contient {len(errors)} erreur(s) (territoire acteurs valider {dossier}).")
