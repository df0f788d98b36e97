"""``territoire diagnostic``: the whole diagnosis of a workspace and its report."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import click

from territoire.cli._commun import DOSSIER, list_option, open_workspace, parse_date_option
from territoire.diagnostic import run_diagnostic


@click.command()
@DOSSIER
@click.option("--format", "formats", default="html,docx,md", show_default=True, help="Formats du rapport, séparés par des virgules : html, docx, md.")
@click.option("--domaines", help="Domaines analysés, séparés par des virgules (tous ceux de l'annuaire sinon).")
@click.option("--date", "date_text", metavar="AAAA-MM-JJ", help="Date du diagnostic (celle de territoire.toml sinon) : fixe le réseau et le rapport.")
@click.option("--fond", type=click.Choice(["osm", "ign", "aucun"]), default="osm", show_default=True, help="Fond de la carte interactive.")
def diagnostic(dossier: Path, formats: str, domaines: str | None, date_text: str | None, fond: str) -> None:
    """Tout le diagnostic : profil, couverture, réseau, cartes, carte des partenaires et rapport.

    Le rapport est écrit dans DOSSIER/rapport/ (diagnostic.html, .docx, .md et les
    figures) ; les tableaux dans DOSSIER/resultats/, les cartes dans DOSSIER/cartes/.
    Relancé avec les mêmes données et la même date, il donne les mêmes fichiers.

    \b
    Exemples :
      territoire diagnostic mon-diagnostic
      territoire diagnostic mon-diagnostic --format docx --date 2026-10-01
    """
    workspace = open_workspace(dossier)
    result = run_diagnostic(
        workspace,
        formats=[f.strip().lower() for f in formats.split(",") if f.strip()],
        domaines=list_option(domaines),
        date=parse_date_option(date_text),
        fond=fond,
        progress=lambda message: click.echo(message),
    )
    report = [p for p in result.files if p.parent.name == "rapport"]
    click.echo("")
    if result.findings:
        click.echo("Premiers constats (détail et sources dans le rapport) :")
        for finding in result.findings[:4]:
            click.echo(textwrap.fill(finding, width=100, initial_indent="  - ", subsequent_indent="    "))
        click.echo("")
    if report:
        click.echo("Rapport : " + ", ".join(str(p) for p in report))
    click.echo(f"Cartes : {workspace.path / 'cartes'} ; tableaux : {workspace.path / 'resultats'}")
    if result.problems:
        click.echo(f"Attention : l'annuaire contient {result.problems} erreur(s) (territoire acteurs valider {dossier}).")
    if result.failures:
        for name, message in result.failures.items():
            click.echo(f"Erreur : étape « {name} » : {message}", err=True)
        sys.exit(1)
