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


_RELATION_VOCABULARIES = ("types_relation", "formes", "formalisations")


class _RelationRows:
    """Reads the rows of a relations table one at a time.

    What every row needs (known actor ids, actors by name, vocabularies, the table's
    cells by column) is prepared once; :meth:`parse` then turns row ``i`` into a typed
    record, appending its problems (ends, type, form, intensity, dates, duplicate —
    in that order) to :attr:`problems`. :attr:`seen` remembers the line of each
    relation already read, to report duplicates.
    """

    def __init__(
        self,
        table: Table,
        actor_ids: Sequence[str],
        actor_names: Mapping[str, str] | None,
        file_name: str,
    ) -> None:
        self.table = table
        self.actor_ids = actor_ids
        self.file_name = file_name
        self.known = set(actor_ids)
        self.by_name = {name_key(n): i for i, n in (actor_names or {}).items()} if actor_names else {}
        self.vocabularies = {name: vocab.vocabulary(name) for name in _RELATION_VOCABULARIES}
        self.cells = {name: table.get(name).fillna("").astype(str).tolist() for name in table.known or ()}
        self.seen: dict[tuple[str, str, str], int] = {}
        self.problems: list[Problem] = []
        # state of the row being read
        self.i = 0
        self.line: int | None = None
        self.row_problems: list[Problem] = []

    # -- helpers for the current row
    def cell(self, name: str) -> str:
        column = self.cells.get(name)
        return column[self.i].strip() if column is not None else ""

    def problem(self, gravite: str, column: str, value: str, message: str, fix: str = "") -> None:
        self.row_problems.append(Problem(gravite, self.file_name, self.line, column, value, message, fix))

    def one(self, name: str, column: str) -> str | None:
        value = self.cell(column)
        return vocabulary_code(self.vocabularies[name], column, value, self.problem) if value else None

    # -- one row
    def parse(self, i: int) -> dict[str, Any]:
        self.i, self.line, self.row_problems = i, self.table.line_of(i), []
        source, cible = self._ends()
        rtype = self.one("types_relation", "type")
        if not self.cell("type"):
            self.problem(WARNING, "type", "", "type de relation non renseigné", "territoire vocabulaire types_relation")
        forme = self.one("formes", "forme")
        formalisation = self.one("formalisations", "formalisation")
        intensity = self._intensity()
        dates = self._dates()
        directed = vocab.is_directed(rtype) if rtype else False
        if source and cible:
            self._check_duplicate(source, cible, rtype, directed)
        self.problems.extend(self.row_problems)
        return {
            "source": source or self.cell("source"),
            "cible": cible or self.cell("cible"),
            "type": rtype,
            "forme": forme,
            "formalisation": formalisation,
            "intensite": intensity,
            "debut": dates["debut"],
            "fin": dates["fin"],
            "objet": self.cell("objet"),
            "notes": self.cell("notes"),
            "oriente": directed,
            "ligne": self.line,
            "valide": bool(source and cible and source != cible),
        }

    def _ends(self) -> tuple[str | None, str | None]:
        """Source and target as actor ids (None when empty or unknown); no self-loop."""
        source, cible = self._actor("source"), self._actor("cible")
        if source and source == cible:
            self.problem(ERROR, "cible", cible, "une relation d'un acteur avec lui-même n'a pas de sens", "corrigez la source ou la cible")
        return source, cible

    def _actor(self, column: str) -> str | None:
        """Actor id of ``column``: an id, or an actor's name (a warning), else None."""
        value = self.cell(column)
        if not value:
            self.problem(ERROR, column, "", f"{column} vide", "écrivez l'identifiant (colonne id d'acteurs.csv)")
            return None
        if value in self.known:
            return value
        if name_key(value) in self.by_name:
            ident = self.by_name[name_key(value)]
            self.problem(WARNING, column, value, f"« {value} » est un nom : l'identifiant « {ident} » est utilisé", f"écrivez {ident}")
            return ident
        close = closest_ids(value, self.actor_ids)
        hint = f"vouliez-vous dire {', '.join(close)} ?" if close else "ajoutez d'abord l'acteur"
        self.problem(ERROR, column, value, f"acteur inconnu « {value} »", hint)
        return None

    def _intensity(self) -> int:
        """Intensity 1 to 3 (1 when empty or unreadable)."""
        intensity_text = self.cell("intensite")
        if not intensity_text:
            return 1
        number = parse_decimal(intensity_text)
        if number is None or number not in (1, 2, 3):
            self.problem(ERROR, "intensite", intensity_text, "l'intensité va de 1 (faible) à 3 (forte)", "écrivez 1, 2 ou 3")
            return 1
        return int(number)

    def _dates(self) -> dict[str, dt.date | None]:
        """Start and end dates (None when empty or unreadable); the end may not precede the start."""
        dates = {}
        for column in ("debut", "fin"):
            try:
                dates[column] = parse_date(self.cell(column), end=column == "fin")
            except ValueError:
                dates[column] = None
                self.problem(ERROR, column, self.cell(column), "date illisible", "écrivez AAAA-MM-JJ, JJ/MM/AAAA ou AAAA")
        if dates["debut"] and dates["fin"] and dates["fin"] < dates["debut"]:
            self.problem(ERROR, "fin", self.cell("fin"), f"la fin ({dates['fin']:%d/%m/%Y}) précède le début ({dates['debut']:%d/%m/%Y})", "vérifiez les deux dates")
        return dates

    def _check_duplicate(self, source: str, cible: str, rtype: str | None, directed: bool) -> None:
        """Warn about a relation already read (same ends, either way unless directed, same type)."""
        first, second = (source, cible) if directed else sorted((source, cible))
        key = (first, second, rtype or "")
        if key in self.seen:
            self.problem(WARNING, "source", f"{source} → {cible}", f"relation en double (déjà ligne {self.seen[key]})", "gardez une seule ligne ou précisez l'objet")
        else:
            self.seen[key] = self.line or self.i + 2


def parse_relations(
    table: Table,
    actor_ids: Sequence[str],
    actor_names: Mapping[str, str] | None = None,
    *,
    file_name: str = RELATIONS_FILE,
) -> Parsed:
    """Typed relations and every problem (unknown actors, self-loops, duplicates, dates)."""
    reader = _RelationRows(table, actor_ids, actor_names, file_name)
    rows = [reader.parse(i) for i in range(len(table.frame))]
    frame = pd.DataFrame(rows, columns=list(RELATION_FRAME_COLUMNS))
    if frame.empty:  # typed columns even with no relation at all
        frame = frame.astype({"valide": bool, "oriente": bool, "intensite": "int64", "ligne": "int64"})
    return Parsed(nullable(frame, ("type", "forme", "formalisation", "debut", "fin")), reader.problems)


def relations_on(relations: pd.DataFrame, date: dt.date | None) -> pd.DataFrame:
    """Valid relations in force on ``date`` (started, and not ended before it)."""
    # boolean arrays with .loc: an empty object column would select columns instead
    rel = relations.loc[relations["valide"].astype(bool).to_numpy()]
    if date is None:
        return rel
    started = np.array([d is None or d <= date for d in rel["debut"]], dtype=bool)
    not_ended = np.array([d is None or d >= date for d in rel["fin"]], dtype=bool)
    return rel.loc[started & not_ended]
