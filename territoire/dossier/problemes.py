"""Problems found in the tables: where (file, line, column), what, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from territoire._errors import TerritoireError
from territoire.dossier.workspace import ACTORS_FILE

ERROR = "erreur"
WARNING = "avertissement"


@dataclass
class Problem:
    """One problem in a table: where it is, what is wrong, how to fix it."""

    gravite: str
    fichier: str
    ligne: int | None
    colonne: str | None
    valeur: str
    message: str
    correction: str = ""
    acteur: str = ""

    def __str__(self) -> str:
        where = self.fichier
        if self.ligne:
            where += f", ligne {self.ligne}"
        if self.acteur and self.fichier == ACTORS_FILE:
            where += f" ({self.acteur})"
        if self.colonne:
            where += f", colonne « {self.colonne} »"
        text = f"{where} : {self.message}"
        if self.correction:
            text += f" → {self.correction}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "gravite": self.gravite,
            "fichier": self.fichier,
            "ligne": self.ligne,
            "colonne": self.colonne,
            "valeur": self.valeur,
            "message": self.message,
            "correction": self.correction,
            "acteur": self.acteur,
        }


class ValidationError(TerritoireError):
    """Raised by editing commands when the new values have errors."""

    def __init__(self, problems: list[Problem]) -> None:
        errors = [p for p in problems if p.gravite == ERROR]
        super().__init__("; ".join(p.message + (f" → {p.correction}" if p.correction else "") for p in errors))
        self.problems = problems
