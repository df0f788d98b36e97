"""``territoire relations``: listing, adding and deleting relations between actors."""

from __future__ import annotations

import json
from pathlib import Path

import click

from territoire.cli._commun import DOSSIER, FrenchGroup, csv_text, open_workspace, print_problems
from territoire.dossier.annuaire import load_directory
from territoire.dossier.edition import add_relation, delete_relations
from territoire.dossier.vocab import vocabulary
from territoire.rendu.console import table


@click.group(cls=FrenchGroup)
def relations() -> None:
    """Relations entre acteurs : lister, ajouter, supprimer."""


@relations.command("lister")
@DOSSIER
@click.option("--acteur", help="Seulement les relations de cet acteur (id).")
@click.option("--type", "type_code", help="Seulement ce type de relation.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def relations_lister(dossier: Path, acteur: str | None, type_code: str | None, fmt: str) -> None:
    """Lister les relations (type, forme, formalisation, intensité, dates)."""
    directory = load_directory(open_workspace(dossier))
    rel = directory.relations
    if acteur:
        rel = rel[(rel["source"] == acteur) | (rel["cible"] == acteur)]
    if type_code:
        rel = rel[rel["type"] == vocabulary("types_relation").normalize(type_code)]
    names = dict(zip(directory.actors["id"], directory.actors["nom"], strict=True))
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
        click.echo(csv_text(records, list(records[0]) if records else ["source"]), nl=False)
        return
    arrow = {True: "→", False: "—"}
    rows = [
        (
            f"{names.get(r['source'], r['source'])[:30]} {arrow[bool(t)]} {names.get(r['cible'], r['cible'])[:30]}",
            r["type"], r["forme"], r["formalisation"], r["intensite"],
            (r["debut"] or "…") + " / " + (r["fin"] or "…") if (r["debut"] or r["fin"]) else "",
        )
        for r, t in zip(records, rel["oriente"], strict=True)
    ]
    click.echo(table(rows, ["Relation", "Type", "Forme", "Formalisation", "Intensité", "Période"]))
    click.echo(f"\n{len(records)} relation(s).")


@relations.command("ajouter")
@DOSSIER
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
      territoire relations ajouter mon-diagnostic caf-24 cs-tilleuls --type financement \\
        --forme imposé --formalisation convention --intensite 3 --debut 2022-01-01
    """
    values = {
        "source": source, "cible": cible, "type": type_code, "forme": forme, "formalisation": formalisation,
        "intensite": str(intensite) if intensite else None, "debut": debut, "fin": fin, "objet": objet, "notes": notes,
    }
    problems = add_relation(open_workspace(dossier), values, force=forcer)
    click.echo(f"Relation ajoutée : {source} — {cible} ({type_code})")
    print_problems(problems)


@relations.command("supprimer")
@DOSSIER
@click.argument("source")
@click.argument("cible")
@click.option("--type", "type_code", help="Seulement les relations de ce type.")
def relations_supprimer(dossier: Path, source: str, cible: str, type_code: str | None) -> None:
    """Supprimer les relations de SOURCE vers CIBLE."""
    count = delete_relations(open_workspace(dossier), source, cible, type_code)
    click.echo(f"{count} relation(s) supprimée(s).")
