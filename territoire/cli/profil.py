"""``territoire profil``: the profile of a territory given by name or code."""

from __future__ import annotations

import json
from pathlib import Path

import click

from territoire.cli._commun import resolve_territory, territory_options, write_output
from territoire.referentiel.profil import territory_profile
from territoire.rendu.console import render_profile


@click.command()
@click.argument("nom", required=False)
@territory_options
@click.option(
    "--format", "fmt", type=click.Choice(["texte", "csv", "json"]), default="texte",
    show_default=True, help="Texte pour lire, CSV ou JSON pour d'autres outils.",
)
@click.option("--sortie", type=click.Path(dir_okay=False, path_type=Path), help="Écrire dans ce fichier.")
def profil(nom: str | None, fmt: str, sortie: Path | None, **codes: str | None) -> None:
    """Profil d'un territoire : communes, population, surface, densité, EPCI, cantons.

    \b
    Exemples :
      territoire profil "Le Grand Périgueux"
      territoire profil --epci 200040392 --format csv
      territoire profil --communes 24322,24053
      territoire profil "Saint-Martin (32)"
    """
    territory = resolve_territory(nom, **codes)
    result = territory_profile(territory)
    if fmt == "json":
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
    elif fmt == "csv":
        text = result.communes.to_csv(sep=";", lineterminator="\n")
    else:
        text = render_profile(result)
    write_output(text, sortie)
