"""The ``territoire`` command: a thin French layer over the library.

Commands parse their options, call the library and print. Heavy modules (geopandas,
folium, matplotlib, networkx) are imported inside the commands so that
``territoire --help`` starts fast.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__, _click_fr
from ._errors import TerritoireError

_click_fr.install()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _debug() -> bool:
    return os.environ.get("TERRITOIRE_DEBUG", "") not in ("", "0")


class FrenchGroup(click.Group):
    """Group that turns library errors into ``Erreur : …`` and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TerritoireError as exc:
            raise click.ClickException(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            raise click.ClickException("interrompu par l'utilisateur.") from None
        except BrokenPipeError:
            # output piped into a command that stopped reading (head, less…): stop quietly
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            raise click.exceptions.Exit(0) from None
        except Exception as exc:  # noqa: BLE001 - last resort: never a traceback for users
            if _debug():
                raise
            raise click.ClickException(
                f"erreur inattendue ({type(exc).__name__} : {exc}). "
                "Relancez avec TERRITOIRE_DEBUG=1 pour le détail et signalez-la."
            ) from None


def progress_printer(prefix: str = "") -> Callable[[str], None]:
    """Progress callback printing one line per step on stderr."""

    def report(message: str) -> None:
        click.echo(f"{prefix}{message}…", err=True)

    return report


def _ensure_referentiel() -> None:
    """Build the reference cache on first use, telling the user why it takes time."""
    from . import referentiel

    if referentiel._cache_ok(referentiel.cache_dir()):
        return
    click.echo(
        "Première utilisation : préparation du référentiel géographique "
        "(une seule fois, environ 20 secondes).",
        err=True,
    )
    referentiel.ensure_cache(progress=progress_printer("  - "))


def _write_output(text: str, sortie: Path | None) -> None:
    if sortie is None:
        click.echo(text)
        return
    from ._io import atomic_write_text

    atomic_write_text(sortie, text if text.endswith("\n") else text + "\n")
    click.echo(f"Écrit : {sortie}", err=True)


@click.group(cls=FrenchGroup, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="territoire", message="%(prog)s %(version)s")
def main() -> None:
    """Diagnostic territorial pour le travail social (CESF, ES, ME).

    Annuaire des acteurs, couverture du territoire, réseau partenarial, cartes et
    rapport, à partir des découpages administratifs officiels (hors ligne).

    \b
    Pour commencer :
      territoire demo                               (copie le dossier de démonstration)
      territoire diagnostic demo-grand-perigueux    (tout le diagnostic et le rapport)
      territoire init mon-diagnostic --territoire "Le Grand Périgueux"
    """


# --------------------------------------------------------------------------- referentiel


@main.group(cls=FrenchGroup)
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
    from . import referentiel as ref
    from ._text import fmt_int

    if reconstruire:
        click.echo("Reconstruction du cache du référentiel…", err=True)
        ref.ensure_cache(rebuild=True, progress=progress_printer("  - "))
    else:
        _ensure_referentiel()
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


# --------------------------------------------------------------------------- profil

_TERRITORY_OPTIONS = (
    ("commune", "Une commune : code INSEE ou nom."),
    ("communes", "Plusieurs communes : codes ou noms séparés par des virgules."),
    ("epci", "Une intercommunalité : SIREN ou nom."),
    ("canton", "Un canton : code (par ex. 2412) ou nom."),
    ("departement", "Un département : code (24, 2A, 974) ou nom."),
    ("region", "Une région : code (75) ou nom."),
)


def territory_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Shared options selecting a territory by code or name."""
    for name, help_text in reversed(_TERRITORY_OPTIONS):
        func = click.option(f"--{name}", metavar="CODE|NOM", help=help_text)(func)
    return func


def resolve_territory(nom: str | None, **codes: str | None):
    """The territory designated by a free name or exactly one of the options."""
    from ._errors import SpecError
    from .selection import resolve

    given = {k: v for k, v in codes.items() if v is not None}
    if nom is not None:
        given = {"nom": nom, **given}
    if not given:
        raise SpecError(
            "Indiquez un territoire : un nom (\"Le Grand Périgueux\") ou une option "
            "--commune, --communes, --epci, --canton, --departement, --region."
        )
    if len(given) > 1:
        raise SpecError("Indiquez un seul territoire à la fois (un nom ou une seule option).")
    (key, value), = given.items()
    _ensure_referentiel()
    if key == "nom":
        return resolve(value)
    kind = "commune" if key == "communes" else key
    if key == "communes":
        return resolve([v for v in value.split(",")] if value.strip() else [], kind)
    return resolve(value, kind)


@main.command()
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
    from .profil import territory_profile

    territory = resolve_territory(nom, **codes)
    result = territory_profile(territory)
    if fmt == "json":
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
    elif fmt == "csv":
        text = result.communes.to_csv(sep=";", lineterminator="\n")
    else:
        from .console import render_profile

        text = render_profile(result)
    _write_output(text, sortie)


# --------------------------------------------------------------------------- workspace

_DOSSIER = click.argument("dossier", type=click.Path(file_okay=False, path_type=Path))


def _open(dossier: Path):
    from .workspace import Workspace

    _ensure_referentiel()
    return Workspace(dossier)


def _parse_date_option(value: str | None):
    import datetime as dt

    from ._errors import TerritoireError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise TerritoireError(f"date « {value} » illisible : écrivez AAAA-MM-JJ (par exemple 2026-10-01).") from None


@main.command()
@_DOSSIER
@click.option("--territoire", "territoire_spec", required=True, metavar="NOM|CODES", help="Le territoire étudié : nom ou codes (epci:…, 24, …).")
@click.option("--structure", help="Nom de la structure de stage (ajoutée à l'annuaire si elle n'y est pas).")
@click.option("--titre", help="Titre du diagnostic.")
@click.option("--auteur", default="", help="Autrice ou auteur du diagnostic.")
@click.option("--date", "date_text", metavar="AAAA-MM-JJ", help="Date du diagnostic (aujourd'hui par défaut).")
@click.option("--vide", is_flag=True, help="Ne pas préremplir l'annuaire avec les acteurs du référentiel.")
def init(dossier: Path, territoire_spec: str, structure: str | None, titre: str | None, auteur: str, date_text: str | None, vide: bool) -> None:
    """Créer un dossier de diagnostic, prérempli avec les acteurs du référentiel.

    Le dossier contient territoire.toml (paramètres), acteurs.csv (l'annuaire,
    prérempli avec les mairies, les EPCI, le conseil départemental, la préfecture et
    le conseil régional), relations.csv et zones/.

    \b
    Exemple :
      territoire init mon-diagnostic --territoire "Le Grand Périgueux" --structure "Centre social Les Tilleuls"
    """
    from .annuaire import create_workspace

    _ensure_referentiel()
    workspace = create_workspace(dossier, territoire_spec, structure=structure, title=titre, author=auteur, date=_parse_date_option(date_text), prefill=not vide)
    count = int((workspace.actors.get("source") == "référentiel").sum())
    click.echo(f"Dossier créé : {workspace.path}")
    click.echo(f"Territoire : {workspace.settings.territoire_nom} ({', '.join(workspace.settings.perimetre)})")
    if count:
        click.echo(f"Annuaire prérempli : {count} acteurs du référentiel (source = référentiel).")
    if workspace.settings.structure:
        click.echo(f"Structure de stage : {workspace.settings.structure}")
    click.echo(f"Ouvrez {workspace.actors_path.name} dans un tableur pour compléter l'annuaire, puis : territoire acteurs valider {dossier}")


@main.command()
@click.argument("dossier", required=False, type=click.Path(file_okay=False, path_type=Path))
def demo(dossier: Path | None) -> None:
    """Copier le dossier de démonstration (Grand Périgueux) pour découvrir l'outil.

    Les acteurs marqués « illustratif » et toutes les relations sont inventés.

    \b
    Exemple :
      territoire demo
      territoire demo mon-essai
    """
    from .annuaire import DEMO_FOLDER, create_demo

    _ensure_referentiel()
    workspace = create_demo(dossier or Path(DEMO_FOLDER))
    click.echo(f"Dossier de démonstration créé : {workspace.path}")
    click.echo(f"{len(workspace.actors.frame)} acteurs, {len(workspace.relations.frame)} relations (voir LISEZMOI.md : données en partie illustratives).")
    click.echo(f"Pour continuer : territoire diagnostic {workspace.path}")


@main.command()
@click.argument("nom", required=False)
def vocabulaire(nom: str | None) -> None:
    """Valeurs acceptées dans les colonnes (familles, types, domaines, publics…).

    \b
    Exemples :
      territoire vocabulaire
      territoire vocabulaire domaines
    """
    from ._errors import TerritoireError
    from ._text import name_key
    from .vocab import VOCABULARY_NAMES, all_vocabularies

    vocabularies = all_vocabularies()
    if nom is None:
        click.echo("Vocabulaires (territoire vocabulaire NOM pour le détail) :")
        for name, vocabulary in vocabularies.items():
            click.echo(f"  {name:<16} {VOCABULARY_NAMES[name][0]} ({len(vocabulary.codes)} valeurs)")
        return
    matches = [n for n in vocabularies if name_key(n).startswith(name_key(nom)) or name_key(VOCABULARY_NAMES[n][0]).startswith(name_key(nom))]
    if not matches:
        raise TerritoireError(f"vocabulaire « {nom} » inconnu : choisissez parmi {', '.join(vocabularies)}.")
    vocabulary = vocabularies[matches[0]]
    from .console import table

    rows = []
    for code, entry in vocabulary.entries.items():
        detail = []
        if "famille" in entry:
            detail.append(f"famille {entry['famille']}")
        if "couverture" in entry:
            detail.append(f"couverture par défaut : {entry['couverture']}")
        if entry.get("origine"):
            detail.append(entry["origine"])
        if entry.get("oriente"):
            detail.append("orientée")
        rows.append((code, entry["libelle"], ", ".join(detail)))
    click.echo(table(rows, ["Code", "Libellé", "Précisions"]))


# --------------------------------------------------------------------------- acteurs

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


def actor_field_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for name, help_text in reversed(_ACTOR_FIELDS):
        func = click.option(f"--{name}", name.replace("-", "_"), help=help_text)(func)
    func = click.option("--champ", "champs", multiple=True, metavar="COLONNE=VALEUR", help="Autre colonne (répétable).")(func)
    func = click.option("--forcer", is_flag=True, help="Enregistrer même s'il reste des erreurs.")(func)
    return func


def _field_values(fields: dict[str, Any], champs: tuple[str, ...]) -> dict[str, str]:
    from ._errors import TerritoireError

    values = {key: value for key, value in fields.items() if value is not None}
    for item in champs:
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise TerritoireError(f"--champ « {item} » : écrivez COLONNE=VALEUR.")
        values[column.strip()] = value
    return values


def _print_problems(problems) -> None:
    errors = [p for p in problems if p.gravite == "erreur"]
    warnings = [p for p in problems if p.gravite != "erreur"]
    for p in errors:
        click.echo(f"  Erreur : {p}")
    for p in warnings:
        click.echo(f"  Avertissement : {p}")


@main.group(cls=FrenchGroup)
def acteurs() -> None:
    """Annuaire des acteurs : lister, ajouter, modifier, supprimer, valider, importer, exporter."""


@acteurs.command("lister")
@_DOSSIER
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
    from .annuaire import describe_coverage, filter_actors, load_directory

    directory = load_directory(_open(dossier))
    chosen = filter_actors(directory.actors, famille=famille, type_code=type_code, domaine=domaine, public=public, commune=commune)
    records = []
    for _, a in chosen.iterrows():
        records.append(
            {
                "id": a["id"], "nom": a["nom"], "famille": a["famille"] or "", "type": a["type"] or "",
                "domaines": "|".join(a["domaines"]), "publics": "|".join(a["publics"]),
                "role": a["role"] or "", "commune": a["commune"] or "", "commune_nom": a["commune_nom"] or "",
                "localisation": a["localisation"],
                "latitude": "" if a["latitude"] is None or a["latitude"] != a["latitude"] else round(float(a["latitude"]), 6),
                "longitude": "" if a["longitude"] is None or a["longitude"] != a["longitude"] else round(float(a["longitude"]), 6),
                "couverture": describe_coverage(a["couverture_items"], default=a["couverture_defaut"]),
                "telephone": a["telephone"], "courriel": a["courriel"], "source": a["source"],
            }
        )
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]) if records else ["id"], delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        click.echo(buffer.getvalue(), nl=False)
        return
    from .console import table

    rows = [(r["id"], r["nom"][:45], r["type"], r["commune_nom"], r["localisation"], r["couverture"][:40]) for r in records]
    click.echo(table(rows, ["Id", "Nom", "Type", "Commune", "Localisation", "Couverture"]))
    click.echo(f"\n{len(records)} acteur(s) sur {len(directory.actors)}.")


@acteurs.command("ajouter")
@_DOSSIER
@click.option("--id", "ident", help="Identifiant (déduit du nom sinon).")
@actor_field_options
def acteurs_ajouter(dossier: Path, ident: str | None, champs: tuple[str, ...], forcer: bool, **fields: Any) -> None:
    """Ajouter un acteur à l'annuaire (vérifié avant d'être enregistré).

    \b
    Exemple :
      territoire acteurs ajouter mon-diagnostic --nom "Épicerie solidaire" --type ASSO \
        --domaines equipement-et-alimentation --commune Périgueux --couverture 24322
    """
    from .annuaire import add_actor

    values = _field_values({("niveau_reseau" if k == "niveau_reseau" else k): v for k, v in fields.items()}, champs)
    if ident:
        values["id"] = ident
    new_id, problems = add_actor(_open(dossier), values, force=forcer)
    click.echo(f"Acteur ajouté : {new_id}")
    _print_problems(problems)


@acteurs.command("modifier")
@_DOSSIER
@click.argument("ident", metavar="ID")
@actor_field_options
def acteurs_modifier(dossier: Path, ident: str, champs: tuple[str, ...], forcer: bool, **fields: Any) -> None:
    """Modifier des champs d'un acteur ; le reste du fichier n'est pas touché.

    \b
    Exemple :
      territoire acteurs modifier mon-diagnostic epicerie-solidaire --telephone "05 53 00 00 00"
    """
    from ._errors import TerritoireError
    from .annuaire import update_actor

    values = _field_values(fields, champs)
    if not values:
        raise TerritoireError("rien à modifier : indiquez au moins un champ (--nom, --commune, --champ COLONNE=VALEUR…).")
    problems = update_actor(_open(dossier), ident, values, force=forcer)
    click.echo(f"Acteur modifié : {ident} ({', '.join(values)})")
    _print_problems(problems)


@acteurs.command("supprimer")
@_DOSSIER
@click.argument("ident", metavar="ID")
@click.option("--avec-relations", is_flag=True, help="Supprimer aussi ses relations.")
def acteurs_supprimer(dossier: Path, ident: str, avec_relations: bool) -> None:
    """Supprimer un acteur (refusé s'il a des relations, sauf --avec-relations)."""
    from .annuaire import delete_actor

    removed = delete_actor(_open(dossier), ident, with_relations=avec_relations)
    click.echo(f"Acteur supprimé : {ident}" + (f" ({removed} relation(s) supprimée(s))" if removed else ""))


@acteurs.command("valider")
@_DOSSIER
@click.option("--format", "fmt", type=click.Choice(["texte", "csv", "json"]), default="texte", show_default=True)
def acteurs_valider(dossier: Path, fmt: str) -> None:
    """Vérifier l'annuaire et les relations : tous les problèmes d'un coup.

    Chaque problème donne le fichier, la ligne, la colonne et une correction.
    Code de sortie 1 s'il reste des erreurs.

    \b
    Exemple :
      territoire acteurs valider mon-diagnostic
    """
    from .annuaire import validate

    workspace = _open(dossier)
    problems = validate(workspace)
    errors = sum(p.gravite == "erreur" for p in problems)
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["gravite", "fichier", "ligne", "colonne", "valeur", "message", "correction", "acteur"], delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(p.as_dict() for p in problems)
        click.echo(buffer.getvalue(), nl=False)
    else:
        actors = len(workspace.actors.frame)
        relations = len(workspace.relations.frame)
        click.echo(f"{actors} acteurs, {relations} relations : {errors} erreur(s), {len(problems) - errors} avertissement(s).")
        _print_problems(problems)
    if errors:
        sys.exit(1)


@acteurs.command("importer")
@_DOSSIER
@click.argument("fichier", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "geojson", "gpkg"]), help="Format (déduit de l'extension sinon).")
@click.option("--mettre-a-jour", is_flag=True, help="Remplacer les champs des acteurs déjà présents (même id).")
def acteurs_importer(dossier: Path, fichier: Path, fmt: str | None, mettre_a_jour: bool) -> None:
    """Importer des acteurs et des relations (CSV, XLSX, GeoJSON, GeoPackage).

    \b
    Exemple :
      territoire acteurs importer mon-diagnostic annuaire.xlsx
    """
    from .annuaire import validate
    from .echanges import import_directory

    workspace = _open(dossier)
    report = import_directory(workspace, fichier, fmt, update=mettre_a_jour)
    click.echo(f"Acteurs ajoutés : {report.added}, mis à jour : {report.updated}, déjà présents (ignorés) : {len(report.skipped)}.")
    click.echo(f"Relations ajoutées : {report.relations_added}, déjà présentes : {report.relations_skipped}.")
    if report.new_columns:
        click.echo(f"Colonnes ajoutées : {', '.join(report.new_columns)}.")
    if report.skipped and not mettre_a_jour:
        click.echo("Pour remplacer les acteurs déjà présents, relancez avec --mettre-a-jour.")
    problems = validate(workspace)
    errors = [p for p in problems if p.gravite == "erreur"]
    if errors:
        click.echo(f"Attention : {len(errors)} erreur(s) dans l'annuaire ; détail : territoire acteurs valider {dossier}")


@acteurs.command("exporter")
@_DOSSIER
@click.argument("fichier", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "geojson", "gpkg"]), help="Format (déduit de l'extension sinon).")
def acteurs_exporter(dossier: Path, fichier: Path, fmt: str | None) -> None:
    """Exporter les acteurs et les relations (CSV, XLSX, GeoJSON, GeoPackage pour QGIS).

    \b
    Exemples :
      territoire acteurs exporter mon-diagnostic annuaire.xlsx
      territoire acteurs exporter mon-diagnostic annuaire.gpkg
    """
    from .echanges import export_directory

    written = export_directory(_open(dossier), fichier, fmt)
    for path in written:
        click.echo(f"Écrit : {path}")


# --------------------------------------------------------------------------- relations


@main.group(cls=FrenchGroup)
def relations() -> None:
    """Relations entre acteurs : lister, ajouter, supprimer."""


@relations.command("lister")
@_DOSSIER
@click.option("--acteur", help="Seulement les relations de cet acteur (id).")
@click.option("--type", "type_code", help="Seulement ce type de relation.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def relations_lister(dossier: Path, acteur: str | None, type_code: str | None, fmt: str) -> None:
    """Lister les relations (type, forme, formalisation, intensité, dates)."""
    from .annuaire import load_directory
    from .vocab import vocabulary

    directory = load_directory(_open(dossier))
    rel = directory.relations
    if acteur:
        rel = rel[(rel["source"] == acteur) | (rel["cible"] == acteur)]
    if type_code:
        rel = rel[rel["type"] == vocabulary("types_relation").normalize(type_code)]
    names = dict(zip(directory.actors["id"], directory.actors["nom"]))
    records = [
        {
            "source": r.source, "cible": r.cible, "type": r.type or "", "forme": r.forme or "",
            "formalisation": r.formalisation or "", "intensite": r.intensite,
            "debut": r.debut.isoformat() if r.debut else "", "fin": r.fin.isoformat() if r.fin else "",
            "objet": r.objet,
        }
        for r in rel.itertuples()
    ]
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]) if records else ["source"], delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        click.echo(buffer.getvalue(), nl=False)
        return
    from .console import table

    arrow = {True: "→", False: "—"}
    rows = [
        (
            f"{names.get(r['source'], r['source'])[:30]} {arrow[bool(t)]} {names.get(r['cible'], r['cible'])[:30]}",
            r["type"], r["forme"], r["formalisation"], r["intensite"],
            (r["debut"] or "…") + " / " + (r["fin"] or "…") if (r["debut"] or r["fin"]) else "",
        )
        for r, t in zip(records, rel["oriente"])
    ]
    click.echo(table(rows, ["Relation", "Type", "Forme", "Formalisation", "Intensité", "Période"]))
    click.echo(f"\n{len(records)} relation(s).")


@relations.command("ajouter")
@_DOSSIER
@click.argument("source")
@click.argument("cible")
@click.option("--type", "type_code", required=True, help="Type (convention, informel, financement, orientation, tutelle, coordination, mise-a-disposition).")
@click.option("--forme", help="d'initiative, palliatif/spontané, imposé.")
@click.option("--formalisation", help="convention, charte, aucune.")
@click.option("--intensite", type=click.IntRange(1, 3), help="1 (faible) à 3 (forte).")
@click.option("--debut", metavar="DATE", help="Date de début.")
@click.option("--fin", metavar="DATE", help="Date de fin.")
@click.option("--objet", help="Objet de la relation.")
@click.option("--notes", help="Notes.")
@click.option("--forcer", is_flag=True, help="Enregistrer même s'il reste des erreurs.")
def relations_ajouter(dossier: Path, source: str, cible: str, type_code: str, forme, formalisation, intensite, debut, fin, objet, notes, forcer: bool) -> None:
    """Ajouter une relation entre deux acteurs (par leurs identifiants).

    \b
    Exemple :
      territoire relations ajouter mon-diagnostic caf-24 cs-tilleuls --type financement \
        --forme imposé --formalisation convention --intensite 3 --debut 2022-01-01
    """
    from .annuaire import add_relation

    values = {
        "source": source, "cible": cible, "type": type_code, "forme": forme, "formalisation": formalisation,
        "intensite": str(intensite) if intensite else None, "debut": debut, "fin": fin, "objet": objet, "notes": notes,
    }
    problems = add_relation(_open(dossier), values, force=forcer)
    click.echo(f"Relation ajoutée : {source} — {cible} ({type_code})")
    _print_problems(problems)


@relations.command("supprimer")
@_DOSSIER
@click.argument("source")
@click.argument("cible")
@click.option("--type", "type_code", help="Seulement les relations de ce type.")
def relations_supprimer(dossier: Path, source: str, cible: str, type_code: str | None) -> None:
    """Supprimer les relations de SOURCE vers CIBLE."""
    from .annuaire import delete_relations

    count = delete_relations(_open(dossier), source, cible, type_code)
    click.echo(f"{count} relation(s) supprimée(s).")


# --------------------------------------------------------------------------- analyses


def _list_option(value: str | None) -> list[str] | None:
    if not value:
        return None
    separator = "|" if "|" in value else ","
    return [v.strip() for v in value.split(separator) if v.strip()]


@main.command()
@_DOSSIER
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
    from ._errors import TerritoireError
    from .annuaire import load_directory
    from .couverture import Options, analyse, write_tables

    try:
        limits = tuple(float(v.replace(",", ".")) for v in (_list_option(distances.replace(",", "|")) or []))
    except ValueError:
        raise TerritoireError(f"--distances « {distances} » : écrivez des kilomètres séparés par des virgules (10,20,30).") from None
    options = Options(
        domaines=_list_option(domaines), types=_list_option(types_), familles=_list_option(familles),
        publics=_list_option(publics), threshold=seuil, distances=limits or (10.0, 20.0, 30.0),
        date=_parse_date_option(date_text),
    )
    workspace = _open(dossier)
    directory = load_directory(workspace)
    result = analyse(directory, options)
    folder = workspace.results_dir()
    write_tables(result, folder, json_too=fmt == "json")
    if fmt == "json":
        data = {name: json.loads(table.to_json(orient="records", force_ascii=False, date_format="iso")) for name, table in result.tables().items()}
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    from .console import render_analysis

    click.echo(render_analysis(result, folder))
    errors = [p for p in directory.problems if p.gravite == "erreur"]
    if errors:
        click.echo(f"\nAttention : l'annuaire contient {len(errors)} erreur(s) (territoire acteurs valider {dossier}).")


# --------------------------------------------------------------------------- cartes

_MAP_FORMATS = ["html", "png", "svg", "pdf"]


def map_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--dpi", type=click.IntRange(50, 600), default=150, show_default=True, help="Résolution des images (300 pour l'impression).")(func)
    func = click.option("--fond", type=click.Choice(["osm", "ign", "aucun"]), default="osm", show_default=True, help="Fond de carte HTML : OpenStreetMap, Plan IGN, ou aucun (sans internet).")(func)
    func = click.option("--sortie", type=click.Path(dir_okay=False, path_type=Path), help="Fichier à écrire.")(func)
    func = click.option("--format", "fmt", type=click.Choice(_MAP_FORMATS), default=None, help="html (par défaut), png, svg ou pdf ; déduit de --sortie sinon.")(func)
    return func


def _map_target(fmt: str | None, sortie: Path | None, default_dir: Path, stem: str) -> tuple[str, Path]:
    from ._errors import TerritoireError

    if fmt is None:
        suffix = sortie.suffix.lstrip(".").lower() if sortie is not None else ""
        fmt = suffix if suffix in _MAP_FORMATS else "html"
    if sortie is None:
        sortie = default_dir / f"{stem}.{fmt}"
    elif sortie.suffix.lstrip(".").lower() != fmt:
        if sortie.suffix:
            raise TerritoireError(f"l'extension de « {sortie.name} » ne correspond pas au format {fmt}.")
        sortie = sortie.with_suffix(f".{fmt}")
    return fmt, sortie


def _write_map(fmt: str, path: Path, html_builder, image_builder, fond: str, dpi: int) -> None:
    from ._io import atomic_write_text

    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        atomic_write_text(path, html_builder(fond))
    else:
        image_builder(path, dpi)
    click.echo(f"Carte écrite : {path}")


@main.command()
@_DOSSIER
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
    from ._text import slugify
    from .cartes import prepare_actors_map

    workspace = _open(dossier)
    stem = "carte-acteurs" + "".join(f"-{slugify(v)}" for v in (domaine, famille, type_code) if v)
    fmt, path = _map_target(fmt, sortie, workspace.path / "cartes", stem)
    data = prepare_actors_map(workspace, domaine=domaine, famille=famille, type_code=type_code)

    def html_builder(fond):
        from .carte_html import actors_map_html

        return actors_map_html(data, fond=fond)

    def image_builder(path, dpi):
        from .carte_image import actors_map_image

        actors_map_image(data, path, dpi=dpi)

    _write_map(fmt, path, html_builder, image_builder, fond, dpi)


@main.command()
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
    from ._text import slugify
    from .cartes import prepare_boundaries_map

    territory = resolve_territory(nom, **codes)
    if niveaux:
        levels = [v.strip().lower() for v in niveaux.split(",") if v.strip()]
    else:
        levels = ["communes", "cantons", "epci", "departements"] + (["regions"] if territory.kind == "region" else [])
    fmt, path = _map_target(fmt, sortie, Path("maps"), f"decoupage-{slugify(territory.label)}")
    data = prepare_boundaries_map(territory, levels)

    def html_builder(fond):
        from .carte_html import boundaries_map_html

        return boundaries_map_html(data, fond=fond)

    def image_builder(path, dpi):
        from .carte_image import boundaries_map_image

        boundaries_map_image(data, path, dpi=dpi)

    _write_map(fmt, path, html_builder, image_builder, fond, dpi)
    for note in data.notes:
        click.echo(f"Note : {note}")


@main.command()
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
    from ._io import atomic_write_text
    from ._text import fmt_float, fmt_int, slugify
    from .cartes import prepare_placement_area
    from .console import table

    workspace = _open(dossier) if dossier is not None else None
    if workspace is None:
        _ensure_referentiel()
    data = prepare_placement_area(lieu, rayon, workspace=workspace)
    stem = f"stage-{slugify(data.site_label.replace('mairie de ', ''))}-{rayon:g}km"
    default_dir = workspace.path / "cartes" if workspace is not None else Path("maps")
    fmt, path = _map_target(fmt, sortie, default_dir, stem)

    def html_builder(fond):
        from .carte_html import placement_map_html

        return placement_map_html(data, fond=fond)

    def image_builder(path, dpi):
        from .carte_image import placement_map_image

        placement_map_image(data, path, dpi=dpi)

    _write_map(fmt, path, html_builder, image_builder, fond, dpi)
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


# --------------------------------------------------------------------------- réseau


@main.command()
@_DOSSIER
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
    from ._io import atomic_write_text
    from .annuaire import load_directory
    from .reseau import analyse_workspace, write_tables

    workspace = _open(dossier)
    directory = load_directory(workspace)
    date = _parse_date_option(date_text) or workspace.date
    ego = ego or workspace.settings.structure or None
    report = analyse_workspace(
        directory, date=date, ego=ego, radius=rayon, without=sans,
        since=_parse_date_option(depuis), until=_parse_date_option(jusqu_a), approximate=approx,
    )
    results = workspace.results_dir()
    maps = workspace.path / "cartes"
    maps.mkdir(exist_ok=True)
    metrics = report.metrics
    written = write_tables(report, results)
    from .cartes import source_line
    from .reseau_figures import network_page, partner_map

    source = source_line(f"annuaire : {workspace.path.name}")
    title = workspace.settings.territoire_nom or workspace.territory().label
    if report.whole["relations"]:
        page = network_page(report.network, metrics, title=f"Réseau partenarial — {title}", size_by=taille, source=source)
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
        data = {
            "date": date.isoformat() if date else None,
            "reseau": report.whole,
            "communautes": report.communities,
            "acteurs": json.loads(metrics.reset_index().to_json(orient="records", force_ascii=False)),
        }
        if report.ego is not None:
            data["ego"] = {"acteur": report.ego.ego, "partenaires": json.loads(report.ego.partners.reset_index().to_json(orient="records", force_ascii=False))}
        if report.scenario is not None:
            data["scenario"] = {
                "devenus_isoles": report.scenario.newly_isolated,
                "composantes_scindees": report.scenario.split_components,
                "couverture_perdue": json.loads(report.scenario.lost_coverage.to_json(orient="records", force_ascii=False)),
            }
        click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))
        return
    from .console import render_network

    from . import referentiel

    names = referentiel.communes(geometry=False)["nom"]
    click.echo(render_network(report, title=title, commune_names=dict(zip(names.index.tolist(), names.tolist()))))
    if ego and report.ego is None:
        click.echo(f"\nNote : « {ego} » n'a aucune relation{(' au ' + format(date, '%d/%m/%Y')) if date else ''} : pas de carte des partenaires.")
    click.echo("\nFichiers : " + ", ".join(str(p) for p in written))


# --------------------------------------------------------------------------- diagnostic


@main.command()
@_DOSSIER
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
    from .diagnostic import run_diagnostic

    workspace = _open(dossier)
    result = run_diagnostic(
        workspace,
        formats=[f.strip().lower() for f in formats.split(",") if f.strip()],
        domaines=_list_option(domaines),
        date=_parse_date_option(date_text),
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
