"""Editing a workspace: adding, changing and deleting actors and relations.

Each edit re-reads the table, checks the rows it touches in the workspace's context
and writes the file back atomically, leaving every other row and column as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from territoire._errors import TerritoireError
from territoire._text import closest_ids, slugify
from territoire.dossier import vocab
from territoire.dossier.acteurs import Context, parse_actors
from territoire.dossier.annuaire import load_directory
from territoire.dossier.problemes import ERROR, WARNING, Problem, ValidationError
from territoire.dossier.relations import parse_relations
from territoire.dossier.tables import Table
from territoire.dossier.workspace import ACTORS_FILE, RELATIONS_FILE, Workspace

# --------------------------------------------------------------------------- editing


def unique_id(base: str, existing: Iterable[str]) -> str:
    taken = set(existing)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _row_position(table: Table, column: str, value: str) -> int | None:
    cells = table.get(column).astype(str).str.strip().tolist()
    return cells.index(value) if value in cells else None


def _check_new_rows(workspace: Workspace, table: Table, positions: list[int]) -> list[Problem]:
    """Problems of the given rows only, parsed in the workspace's context."""
    sub = table.copy()
    sub.frame = table.frame.iloc[positions].reset_index(drop=True)
    sub.lines = [table.line_of(p) or len(table.frame) + 1 for p in positions]
    parsed = parse_actors(sub, Context.for_workspace(workspace))
    return parsed.problems


def add_actor(workspace: Workspace, values: Mapping[str, str], *, force: bool = False) -> tuple[str, list[Problem]]:
    """Append an actor; returns its id and the warnings. Errors raise :class:`ValidationError`."""
    table = workspace.actors.copy()
    values = {k: v for k, v in values.items() if v is not None}
    nom = str(values.get("nom", "")).strip()
    if not nom:
        raise ValidationError([Problem(ERROR, ACTORS_FILE, None, "nom", "", "le nom de l'acteur est obligatoire", "--nom \"…\"")])
    existing = table.get("id").astype(str).str.strip().tolist()
    ident = str(values.get("id") or "").strip() or unique_id(slugify(nom), existing)
    if ident in existing:
        raise ValidationError([Problem(ERROR, ACTORS_FILE, None, "id", ident, f"l'identifiant « {ident} » existe déjà", "choisissez-en un autre avec --id")])
    row = {"id": ident, **{k: v for k, v in values.items() if k != "id"}}
    table.append(row)
    problems = _check_new_rows(workspace, table, [len(table.frame) - 1])
    if any(p.gravite == ERROR for p in problems) and not force:
        raise ValidationError(problems)
    workspace.save_actors(table)
    return ident, problems


def update_actor(workspace: Workspace, ident: str, values: Mapping[str, str], *, force: bool = False) -> list[Problem]:
    """Change some cells of one actor; other rows, columns and order are untouched."""
    table = workspace.actors.copy()
    position = _row_position(table, "id", ident)
    if position is None:
        raise TerritoireError(_unknown_actor_message(ident, table))
    new_id = values.get("id")
    if new_id and new_id != ident:
        raise TerritoireError("changer l'identifiant casserait les relations : créez un nouvel acteur, puis supprimez l'ancien")
    for key, value in values.items():
        header = table.header(key) if key in table.known else key
        if header not in table.frame.columns:
            table.frame[header] = ""
        table.frame.at[position, header] = "" if value is None else str(value)
    problems = _check_new_rows(workspace, table, [position])
    if any(p.gravite == ERROR for p in problems) and not force:
        raise ValidationError(problems)
    workspace.save_actors(table)
    return problems


def delete_actor(workspace: Workspace, ident: str, *, with_relations: bool = False) -> int:
    """Remove one actor; refuses while relations point to it unless ``with_relations``.

    Returns the number of relations removed with it.
    """
    table = workspace.actors.copy()
    position = _row_position(table, "id", ident)
    if position is None:
        raise TerritoireError(_unknown_actor_message(ident, table))
    relations = workspace.relations.copy()
    src = relations.get("source").astype(str).str.strip()
    dst = relations.get("cible").astype(str).str.strip()
    linked = (src == ident) | (dst == ident)
    if linked.any() and not with_relations:
        raise TerritoireError(
            f"« {ident} » a {int(linked.sum())} relation(s) dans relations.csv : ajoutez --avec-relations "
            "pour les supprimer aussi, ou supprimez-les d'abord"
        )
    keep = [p for p in range(len(table.frame)) if p != position]
    table.frame = table.frame.iloc[keep].reset_index(drop=True)
    table.lines = [table.lines[p] for p in keep]
    removed = int(linked.sum())
    if removed:
        keep_rel = [p for p, flag in enumerate(linked.tolist()) if not flag]
        relations.frame = relations.frame.iloc[keep_rel].reset_index(drop=True)
        relations.lines = [relations.lines[p] for p in keep_rel]
        workspace.save_relations(relations)
    workspace.save_actors(table)
    return removed


def _unknown_actor_message(ident: str, table: Table) -> str:
    close = closest_ids(ident, table.get("id").astype(str).tolist())
    hint = f" Vouliez-vous dire : {', '.join(close)} ?" if close else ""
    return f"aucun acteur n'a l'identifiant « {ident} ».{hint}"


def add_relation(workspace: Workspace, values: Mapping[str, str], *, force: bool = False) -> list[Problem]:
    """Append one relation after checking it against the directory."""
    directory = load_directory(workspace)
    table = workspace.relations.copy()
    table.append({k: v for k, v in values.items() if v is not None})
    sub = table.copy()
    sub.frame = table.frame.iloc[[len(table.frame) - 1]].reset_index(drop=True)
    sub.lines = [len(table.frame) + 1]
    parsed = parse_relations(sub, list(directory.actors["id"]), dict(zip(directory.actors["id"], directory.actors["nom"], strict=True)))
    existing = directory.relations
    problems = list(parsed.problems)
    new = parsed.frame.iloc[0]
    if new["valide"]:
        same = existing[(existing["source"] == new["source"]) & (existing["cible"] == new["cible"]) & (existing["type"] == new["type"])]
        if len(same):
            problems.append(Problem(WARNING, RELATIONS_FILE, None, "source", f"{new['source']} → {new['cible']}", f"cette relation existe déjà (ligne {same['ligne'].iloc[0]})"))
    if any(p.gravite == ERROR for p in problems) and not force:
        raise ValidationError(problems)
    workspace.save_relations(table)
    return problems


def delete_relations(workspace: Workspace, source: str, cible: str, relation_type: str | None = None) -> int:
    """Remove the relations between two actors (of one type if given); returns how many."""
    table = workspace.relations.copy()
    src = table.get("source").astype(str).str.strip()
    dst = table.get("cible").astype(str).str.strip()
    match = (src == source) & (dst == cible)
    if relation_type:
        code = vocab.vocabulary("types_relation").normalize(relation_type)
        types = table.get("type").astype(str).map(lambda v: vocab.vocabulary("types_relation").lookup(v))
        match &= types == code
    count = int(match.sum())
    if not count:
        raise TerritoireError(f"aucune relation de « {source} » vers « {cible} »" + (f" de type {relation_type}" if relation_type else ""))
    keep = [p for p, flag in enumerate(match.tolist()) if not flag]
    table.frame = table.frame.iloc[keep].reset_index(drop=True)
    table.lines = [table.lines[p] for p in keep]
    workspace.save_relations(table)
    return count
