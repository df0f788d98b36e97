"""``territoire referentiel``: the reference geography's source, vintage and cache."""

from __future__ import annotations

import click

from territoire import referentiel as ref
from territoire._text import fmt_int
from territoire.cli._commun import FrenchGroup, ensure_referentiel, progress_printer


@click.group(cls=FrenchGroup)
def referentiel() -> None:
    """Référentiel géographique : source, millésime, cache."""


@referentiel.command("info")
@click.option("--reconstruire", is_flag=True, help="Reconstruire le cache à partir de la source.")
def referentiel_info(reconstruire: bool) -> None:
    """Source et millésime utilisés, nombre de communes, EPCI, cantons… et dossier du cache.

    \b
    Exemple :
      territoire referentiel info
    """
    if reconstruire:
        click.echo("Reconstruction du cache du référentiel…", err=True)
        ref.ensure_cache(rebuild=True, progress=progress_printer("  - "))
    else:
        ensure_referentiel()
    meta = ref.meta()
    counts = meta["compte"]
    lines = [
        f"Source : paquet {meta['source']} {meta['version']} (lu hors ligne, sans Django)",
        f"Millésime : {meta['millesime']}",
        f"Communes : {fmt_int(counts['communes'])}",
        f"Communes déléguées, associées et arrondissements municipaux : {fmt_int(counts['communes_infra'])}",
        f"EPCI à fiscalité propre : {fmt_int(counts['epci'])}",
        f"Cantons : {fmt_int(counts['cantons'])}",
        f"Départements : {fmt_int(counts['departements'])}",
        f"Régions : {fmt_int(counts['regions'])}",
        f"Cache : {meta['dossier']} (construit le {meta['construit_le']} en {meta['duree_s']} s)",
    ]
    if meta["communes_sans_contour"]:
        lines.append(
            "Communes sans contour dans la source : " + ", ".join(meta["communes_sans_contour"])
        )
    if meta.get("mairies_replacees"):
        lines.append(
            f"Mairies sans point fiable dans la source : {fmt_int(meta['mairies_replacees'])} "
            "(absent ou à plus d'1 km de la commune : un point à l'intérieur de la commune est utilisé)"
        )
    if meta["communes_sans_population"]:
        lines.append(
            f"Communes sans population légale dans la source : {meta['communes_sans_population']} (Mayotte notamment)"
        )
    click.echo("\n".join(lines))
