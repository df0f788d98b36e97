"""``territoire init``, ``demo`` and ``vocabulaire``: creating a workspace and the
values its columns accept."""

from __future__ import annotations

from pathlib import Path

import click

from territoire._errors import TerritoireError
from territoire._text import name_key
from territoire.cli._commun import DOSSIER, ensure_referentiel, parse_date_option
from territoire.dossier.vocab import VOCABULARY_NAMES, all_vocabularies
from territoire.rendu.console import table
from territoire.sources.preremplissage import DEMO_FOLDER, create_demo, create_workspace


@click.command()
@DOSSIER
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
    ensure_referentiel()
    workspace = create_workspace(dossier, territoire_spec, structure=structure, title=titre, author=auteur, date=parse_date_option(date_text), prefill=not vide)
    count = int((workspace.actors.get("source") == "référentiel").sum())
    click.echo(f"Dossier créé : {workspace.path}")
    click.echo(f"Territoire : {workspace.settings.territoire_nom} ({', '.join(workspace.settings.perimetre)})")
    if count:
        click.echo(f"Annuaire prérempli : {count} acteurs du référentiel (source = référentiel).")
    if workspace.settings.structure:
        click.echo(f"Structure de stage : {workspace.settings.structure}")
    click.echo(f"Ouvrez {workspace.actors_path.name} dans un tableur pour compléter l'annuaire, puis : territoire acteurs valider {dossier}")


@click.command()
@click.argument("dossier", required=False, type=click.Path(file_okay=False, path_type=Path))
def demo(dossier: Path | None) -> None:
    """Copier le dossier de démonstration (Grand Périgueux) pour découvrir l'outil.

    Les acteurs marqués « illustratif » et toutes les relations sont inventés.

    \b
    Exemple :
      territoire demo
      territoire demo mon-essai
    """
    ensure_referentiel()
    workspace = create_demo(dossier or Path(DEMO_FOLDER))
    click.echo(f"Dossier de démonstration créé : {workspace.path}")
    click.echo(f"{len(workspace.actors.frame)} acteurs, {len(workspace.relations.frame)} relations (voir LISEZMOI.md : données en partie illustratives).")
    click.echo(f"Pour continuer : territoire diagnostic {workspace.path}")


@click.command()
@click.argument("nom", required=False)
def vocabulaire(nom: str | None) -> None:
    """Valeurs acceptées dans les colonnes (familles, types, domaines, publics…).

    \b
    Exemples :
      territoire vocabulaire
      territoire vocabulaire domaines
    """
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
