"""``territoire acteurs``: listing, adding, changing, deleting, checking, importing and
exporting the actors of a workspace."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from territoire._errors import TerritoireError
from territoire.cli._commun import DOSSIER, FrenchGroup, csv_text, open_workspace, print_problems
from territoire.dossier.annuaire import filter_actors, load_directory, validate
from territoire.dossier.couvertures import describe_coverage
from territoire.dossier.echanges import import_directory
from territoire.dossier.edition import add_actor, delete_actor, update_actor
from territoire.rendu.console import table
from territoire.rendu.exports import export_directory

_ACTOR_FIELDS = (
    ("nom", "Nom de la structure."),
    ("famille", "Famille (code ou libellé)."),
    ("type", "Type de structure (code ou libellé, voir territoire vocabulaire types)."),
    ("statut", "public ou privé."),
    ("domaines", "Domaines séparés par | (logement-hebergement|sante)."),
    ("publics", "Publics séparés par |."),
    ("role", "financeur, institutionnel, opérationnel, prescripteur, interne."),
    ("niveau-reseau", "primaire, secondaire informel, secondaire formel."),
    ("adresse", "Adresse postale."),
    ("commune", "Commune : code INSEE ou nom."),
    ("latitude", "Latitude en degrés décimaux."),
    ("longitude", "Longitude en degrés décimaux."),
    ("couverture", "Zone d'intervention : codes, noms, region:75, canton:2412, rayon:15, zone:zones/f.geojson."),
    ("telephone", "Téléphone."),
    ("courriel", "Adresse électronique."),
    ("site", "Site internet."),
    ("horaires", "Horaires d'ouverture."),
    ("source", "D'où vient l'information."),
    ("mise-a-jour", "Date de mise à jour (AAAA-MM-JJ)."),
    ("notes", "Notes libres."),
)
_PROBLEM_FIELDS = ["gravite", "fichier", "ligne", "colonne", "valeur", "message", "correction", "acteur"]
_FORMATS = ["csv", "xlsx", "geojson", "gpkg"]


def actor_field_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for name, help_text in reversed(_ACTOR_FIELDS):
        func = click.option(f"--{name}", name.replace("-", "_"), help=help_text)(func)
    func = click.option("--champ", "champs", multiple=True, metavar="COLONNE=VALEUR", help="Autre colonne (répétable).")(func)
    func = click.option("--forcer", is_flag=True, help="Enregistrer même s'il reste des erreurs.")(func)
    return func


def _field_values(fields: dict[str, Any], champs: tuple[str, ...]) -> dict[str, str]:
    values = {key: value for key, value in fields.items() if value is not None}
    for item in champs:
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise TerritoireError(f"--champ « {item} » : écrivez COLONNE=VALEUR.")
        values[column.strip()] = value
    return values


def _coordinate(value: Any) -> Any:
    return "" if value is None or value != value else round(float(value), 6)


@click.group(cls=FrenchGroup)
def acteurs() -> None:
    """Annuaire des acteurs : lister, ajouter, modifier, supprimer, valider, importer, exporter."""


@acteurs.command("lister")
@DOSSIER
@click.option("--famille", help="Filtrer sur une famille.")
@click.option("--type", "type_code", help="Filtrer sur un type de structure.")
@click.option("--domaine", help="Filtrer sur un domaine.")
@click.option("--public", help="Filtrer sur un public.")
@click.option("--commune", help="Filtrer sur une commune (code ou nom).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def acteurs_lister(dossier: Path, famille, type_code, domaine, public, commune, fmt: str) -> None:
    """Lister les acteurs, avec leur localisation et leur couverture en clair.

    \b
    Exemples :
      territoire acteurs lister mon-diagnostic --domaine mobilite
      territoire acteurs lister mon-diagnostic --famille associations --format csv
    """
    directory = load_directory(open_workspace(dossier))
    chosen = filter_actors(directory.actors, famille=famille, type_code=type_code, domaine=domaine, public=public, commune=commune)
    records = [
        {
            "id": a["id"], "nom": a["nom"], "famille": a["famille"] or "", "type": a["type"] or "",
            "domaines": "|".join(a["domaines"]), "publics": "|".join(a["publics"]),
            "role": a["role"] or "", "commune": a["commune"] or "", "commune_nom": a["commune_nom"] or "",
            "localisation": a["localisation"],
            "latitude": _coordinate(a["latitude"]), "longitude": _coordinate(a["longitude"]),
            "couverture": describe_coverage(a["couverture_items"], default=a["couverture_defaut"]),
            "telephone": a["telephone"], "courriel": a["courriel"], "source": a["source"],
        }
        for _, a in chosen.iterrows()
    ]
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        click.echo(csv_text(records), nl=False)
        return
    rows = [(r["id"], r["nom"][:45], r["type"], r["commune_nom"], r["localisation"], r["couverture"][:40]) for r in records]
    click.echo(table(rows, ["Id", "Nom", "Type", "Commune", "Localisation", "Couverture"]))
    click.echo(f"\n{len(records)} acteur(s) sur {len(directory.actors)}.")


@acteurs.command("ajouter")
@DOSSIER
@click.option("--id", "ident", help="Identifiant (déduit du nom sinon).")
@actor_field_options
def acteurs_ajouter(dossier: Path, ident: str | None, champs: tuple[str, ...], forcer: bool, **fields: Any) -> None:
    """Ajouter un acteur à l'annuaire (vérifié avant d'être enregistré).

    \b
    Exemple :
      territoire acteurs ajouter mon-diagnostic --nom "Épicerie solidaire" --type ASSO \\
        --domaines equipement-et-alimentation --commune Périgueux --couverture 24322
    """
    values = _field_values(fields, champs)
    if ident:
        values["id"] = ident
    new_id, problems = add_actor(open_workspace(dossier), values, force=forcer)
    click.echo(f"Acteur ajouté : {new_id}")
    print_problems(problems)


@acteurs.command("modifier")
@DOSSIER
@click.argument("ident", metavar="ID")
@actor_field_options
def acteurs_modifier(dossier: Path, ident: str, champs: tuple[str, ...], forcer: bool, **fields: Any) -> None:
    """Modifier des champs d'un acteur ; le reste du fichier n'est pas touché.

    \b
    Exemple :
      territoire acteurs modifier mon-diagnostic epicerie-solidaire --telephone "05 53 00 00 00"
    """
    values = _field_values(fields, champs)
    if not values:
        raise TerritoireError("rien à modifier : indiquez au moins un champ (--nom, --commune, --champ COLONNE=VALEUR…).")
    problems = update_actor(open_workspace(dossier), ident, values, force=forcer)
    click.echo(f"Acteur modifié : {ident} ({', '.join(values)})")
    print_problems(problems)


@acteurs.command("supprimer")
@DOSSIER
@click.argument("ident", metavar="ID")
@click.option("--avec-relations", is_flag=True, help="Supprimer aussi ses relations.")
def acteurs_supprimer(dossier: Path, ident: str, avec_relations: bool) -> None:
    """Supprimer un acteur (refusé s'il a des relations, sauf --avec-relations)."""
    removed = delete_actor(open_workspace(dossier), ident, with_relations=avec_relations)
    click.echo(f"Acteur supprimé : {ident}" + (f" ({removed} relation(s) supprimée(s))" if removed else ""))


@acteurs.command("valider")
@DOSSIER
@click.option("--format", "fmt", type=click.Choice(["texte", "csv", "json"]), default="texte", show_default=True)
def acteurs_valider(dossier: Path, fmt: str) -> None:
    """Vérifier l'annuaire et les relations : tous les problèmes d'un coup.

    Chaque problème donne le fichier, la ligne, la colonne et une correction.
    Code de sortie 1 s'il reste des erreurs.

    \b
    Exemple :
      territoire acteurs valider mon-diagnostic
    """
    workspace = open_workspace(dossier)
    problems = validate(workspace)
    errors = sum(p.gravite == "erreur" for p in problems)
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(csv_text([p.as_dict() for p in problems], _PROBLEM_FIELDS), nl=False)
    else:
        actors = len(workspace.actors.frame)
        relations = len(workspace.relations.frame)
        click.echo(f"{actors} acteurs, {relations} relations : {errors} erreur(s), {len(problems) - errors} avertissement(s).")
        print_problems(problems)
    if errors:
        sys.exit(1)


@acteurs.command("importer")
@DOSSIER
@click.argument("fichier", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(_FORMATS), help="Format (déduit de l'extension sinon).")
@click.option("--mettre-a-jour", is_flag=True, help="Remplacer les champs des acteurs déjà présents (même id).")
def acteurs_importer(dossier: Path, fichier: Path, fmt: str | None, mettre_a_jour: bool) -> None:
    """Importer des acteurs et des relations (CSV, XLSX, GeoJSON, GeoPackage).

    \b
    Exemple :
      territoire acteurs importer mon-diagnostic annuaire.xlsx
    """
    workspace = open_workspace(dossier)
    report = import_directory(workspace, fichier, fmt, update=mettre_a_jour)
    click.echo(f"Acteurs ajoutés : {report.added}, mis à jour : {report.updated}, déjà présents (ignorés) : {len(report.skipped)}.")
    click.echo(f"Relations ajoutées : {report.relations_added}, déjà présentes : {report.relations_skipped}.")
    if report.new_columns:
        click.echo(f"Colonnes ajoutées : {', '.join(report.new_columns)}.")
    if report.skipped and not mettre_a_jour:
        click.echo("Pour remplacer les acteurs déjà présents, relancez avec --mettre-a-jour.")
    errors = [p for p in validate(workspace) if p.gravite == "erreur"]
    if errors:
        click.echo(f"Attention : {len(errors)} erreur(s) dans l'annuaire ; détail : territoire acteurs valider {dossier}")


@acteurs.command("exporter")
@DOSSIER
@click.argument("fichier", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(_FORMATS), help="Format (déduit de l'extension sinon).")
def acteurs_exporter(dossier: Path, fichier: Path, fmt: str | None) -> None:
    """Exporter les acteurs et les relations (CSV, XLSX, GeoJSON, GeoPackage pour QGIS).

    \b
    Exemples :
      territoire acteurs exporter mon-diagnostic annuaire.xlsx
      territoire acteurs exporter mon-diagnostic annuaire.gpkg
    """
    for path in export_directory(open_workspace(dossier), fichier, fmt):
        click.echo(f"Écrit : {path}")
