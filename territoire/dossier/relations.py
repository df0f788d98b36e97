"""Reading the relations table: typed relations between actors and every problem
(unknown actors, self-loops, duplicates, unreadable dates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from territoire._text import closest_ids, name_key
from territoire.dossier import vocab
from territoire.dossier.acteurs import Parsed, vocabulary_code
from territoire.dossier.cellules import nullable, parse_date
from territoire.dossier.problemes import ERROR, WARNING, Problem
from territoire.dossier.tables import Table, parse_decimal
from territoire.dossier.workspace import RELATIONS_FILE

# --------------------------------------------------------------------------- relations

RELATION_FRAME_COLUMNS = (
    "source", "cible", "type", "forme", "formalisation", "intensite", "debut", "fin",
    "objet", "notes", "oriente", "ligne", "valide",
)


def parse_relations(
    table: Table,
    actor_ids: Sequence[str],
    actor_names: Mapping[str, str] | None = None,
    *,
    file_name: str = RELATIONS_FILE,
) -> Parsed:
    """Typed relations and every problem (unknown actors, self-loops, duplicates, dates)."""
    problems: list[Problem] = []
    known = set(actor_ids)
    by_name = {name_key(n): i for i, n in (actor_names or {}).items()} if actor_names else {}
    vocabularies = {name: vocab.vocabulary(name) for name in ("types_relation", "formes", "formalisations")}
    cells = {name: table.get(name).fillna("").astype(str).tolist() for name in table.known or ()}
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for i in range(len(table.frame)):
        line = table.line_of(i)
        row_problems: list[Problem] = []

        def cell(name: str, _i=i) -> str:
            column = cells.get(name)
            return column[_i].strip() if column is not None else ""

        def problem(gravite, column, value, message, fix="", *, _line=line, _bucket=row_problems):
            _bucket.append(Problem(gravite, file_name, _line, column, value, message, fix))

        ends = {}
        for column in ("source", "cible"):
            value = cell(column)
            if not value:
                problem(ERROR, column, "", f"{column} vide", "écrivez l'identifiant (colonne id d'acteurs.csv)")
                ends[column] = None
            elif value in known:
                ends[column] = value
            elif name_key(value) in by_name:
                ends[column] = by_name[name_key(value)]
                problem(WARNING, column, value, f"« {value} » est un nom : l'identifiant « {ends[column]} » est utilisé", f"écrivez {ends[column]}")
            else:
                close = closest_ids(value, actor_ids)
                hint = f"vouliez-vous dire {', '.join(close)} ?" if close else "ajoutez d'abord l'acteur"
                problem(ERROR, column, value, f"acteur inconnu « {value} »", hint)
                ends[column] = None
        source, cible = ends["source"], ends["cible"]
        if source and source == cible:
            problem(ERROR, "cible", cible, "une relation d'un acteur avec lui-même n'a pas de sens", "corrigez la source ou la cible")

        def one(name: str, column: str) -> str | None:
            value = cell(column)
            return vocabulary_code(vocabularies[name], column, value, problem) if value else None

        rtype = one("types_relation", "type")
        if not cell("type"):
            problem(WARNING, "type", "", "type de relation non renseigné", "territoire vocabulaire types_relation")
        forme = one("formes", "forme")
        formalisation = one("formalisations", "formalisation")
        intensity_text = cell("intensite")
        intensity = 1
        if intensity_text:
            number = parse_decimal(intensity_text)
            if number is None or number not in (1, 2, 3):
                problem(ERROR, "intensite", intensity_text, "l'intensité va de 1 (faible) à 3 (forte)", "écrivez 1, 2 ou 3")
            else:
                intensity = int(number)
        dates = {}
        for column in ("debut", "fin"):
            try:
                dates[column] = parse_date(cell(column), end=column == "fin")
            except ValueError:
                dates[column] = None
                problem(ERROR, column, cell(column), "date illisible", "écrivez AAAA-MM-JJ, JJ/MM/AAAA ou AAAA")
        if dates["debut"] and dates["fin"] and dates["fin"] < dates["debut"]:
            problem(ERROR, "fin", cell("fin"), f"la fin ({dates['fin']:%d/%m/%Y}) précède le début ({dates['debut']:%d/%m/%Y})", "vérifiez les deux dates")
        directed = vocab.is_directed(rtype) if rtype else False
        if source and cible:
            key = (source, cible, rtype or "") if directed else (*sorted((source, cible)), rtype or "")
            if key in seen:
                problem(WARNING, "source", f"{source} → {cible}", f"relation en double (déjà ligne {seen[key]})", "gardez une seule ligne ou précisez l'objet")
            else:
                seen[key] = line or i + 2
        problems.extend(row_problems)
        rows.append(
            {
                "source": source or cell("source"),
                "cible": cible or cell("cible"),
                "type": rtype,
                "forme": forme,
                "formalisation": formalisation,
                "intensite": intensity,
                "debut": dates["debut"],
                "fin": dates["fin"],
                "objet": cell("objet"),
                "notes": cell("notes"),
                "oriente": directed,
                "ligne": line,
                "valide": bool(source and cible and source != cible),
            }
        )
    frame = pd.DataFrame(rows, columns=list(RELATION_FRAME_COLUMNS))
    if frame.empty:  # typed columns even with no relation at all
        frame = frame.astype({"valide": bool, "oriente": bool, "intensite": "int64", "ligne": "int64"})
    return Parsed(nullable(frame, ("type", "forme", "formalisation", "debut", "fin")), problems)


def relations_on(relations: pd.DataFrame, date: dt.date | None) -> pd.DataFrame:
    """Valid relations in force on ``date`` (started, and not ended before it)."""
    # boolean arrays with .loc: an empty object column would select columns instead
    rel = relations.loc[relations["valide"].astype(bool).to_numpy()]
    if date is None:
        return rel
    started = np.array([d is None or d <= date for d in rel["debut"]], dtype=bool)
    not_ended = np.array([d is None or d >= date for d in rel["fin"]], dtype=bool)
    return rel.loc[started & not_ended]
