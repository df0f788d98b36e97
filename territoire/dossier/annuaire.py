"""The parsed directory of a workspace (actors and relations with all their
problems), its validation and the filters used by the commands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from territoire.dossier import vocab
from territoire.dossier.acteurs import Context, parse_actors
from territoire.dossier.problemes import ERROR, WARNING, Problem
from territoire.dossier.relations import parse_relations
from territoire.dossier.workspace import Workspace

# --------------------------------------------------------------------------- workspace level


@dataclass
class Directory:
    """Actors and relations of a workspace, parsed, with all their problems."""

    workspace: Workspace
    actors: Any
    relations: pd.DataFrame
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.gravite == ERROR]


def load_directory(workspace: Workspace) -> Directory:
    """Parse both tables of a workspace."""
    context = Context.for_workspace(workspace)
    actors = parse_actors(workspace.actors, context)
    names = dict(zip(actors.frame["id"], actors.frame["nom"], strict=True))
    relations = parse_relations(workspace.relations, list(actors.frame["id"]), names)
    problems = actors.problems + relations.problems
    structure = workspace.settings.structure
    if structure and structure not in set(actors.frame["id"]):
        problems.append(
            Problem(
                WARNING, "territoire.toml", None, "structure", structure,
                f"la structure de stage « {structure} » n'est pas dans acteurs.csv",
                "corrigez « structure » dans territoire.toml ou ajoutez l'acteur",
            )
        )
    return Directory(workspace, actors.frame, relations.frame, problems)


def validate(workspace: Workspace) -> list[Problem]:
    """Every problem of the workspace, errors first, then by file and line."""
    problems = load_directory(workspace).problems
    return sorted(problems, key=lambda p: (p.gravite != ERROR, p.fichier, p.ligne or 0))


def filter_actors(
    actors,
    *,
    famille: str | None = None,
    type_code: str | None = None,
    domaine: str | None = None,
    public: str | None = None,
    commune: str | None = None,
):
    """Actors matching every given filter (values as codes or labels)."""
    mask = pd.Series(True, index=actors.index)
    if famille:
        mask &= actors["famille"] == vocab.vocabulary("familles").normalize(famille)
    if type_code:
        mask &= actors["type"] == vocab.vocabulary("types").normalize(type_code)
    if domaine:
        code = vocab.vocabulary("domaines").normalize(domaine)
        mask &= actors["domaines"].map(lambda d: code in d)
    if public:
        code = vocab.vocabulary("publics").normalize(public)
        mask &= actors["publics"].map(lambda d: code in d)
    if commune:
        from territoire.referentiel.selection import resolve

        codes = set(resolve(commune, "commune").communes)
        mask &= actors["commune"].isin(codes)
    return actors[mask]
