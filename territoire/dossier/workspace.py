"""A diagnosis workspace: a folder a student can edit in a spreadsheet.

::

    mon-diagnostic/
      territoire.toml   settings: territory, title, author, placement structure, date
      acteurs.csv       the actor directory, one row per actor
      relations.csv     the partnership relations between actors
      zones/            custom zone files (GeoJSON, GeoPackage, Shapefile)
      resultats/        tables written by the analyses
      cartes/, rapport/ maps and the diagnosis report

Everything is plain text, versionable and reproducible.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from territoire._errors import WorkspaceError
from territoire.dossier.tables import (
    DEFAULT_DIALECT,
    Table,
    read_table,
    table_from_records,
    write_table,
)

SETTINGS_FILE = "territoire.toml"
ACTORS_FILE = "acteurs.csv"
RELATIONS_FILE = "relations.csv"
ZONES_DIR = "zones"
RESULTS_DIR = "resultats"

ACTOR_COLUMNS = (
    "id",
    "nom",
    "famille",
    "type",
    "statut",
    "domaines",
    "publics",
    "role",
    "niveau_reseau",
    "adresse",
    "commune",
    "latitude",
    "longitude",
    "couverture",
    "telephone",
    "courriel",
    "site",
    "horaires",
    "source",
    "mise_a_jour",
    "notes",
)
ACTOR_ALIASES = {
    "identifiant": "id",
    "nom de la structure": "nom",
    "structure": "nom",
    "type de structure": "type",
    "domaine": "domaines",
    "thematiques": "domaines",
    "public": "publics",
    "categorie": "role",
    "role partenaire": "role",
    "niveau": "niveau_reseau",
    "niveau de reseau": "niveau_reseau",
    "code insee": "commune",
    "lat": "latitude",
    "lon": "longitude",
    "lng": "longitude",
    "long": "longitude",
    "zone d intervention": "couverture",
    "tel": "telephone",
    "mail": "courriel",
    "email": "courriel",
    "e mail": "courriel",
    "site web": "site",
    "site internet": "site",
    "url": "site",
    "date de mise a jour": "mise_a_jour",
    "mise a jour": "mise_a_jour",
}
RELATION_COLUMNS = (
    "source",
    "cible",
    "type",
    "forme",
    "formalisation",
    "intensite",
    "debut",
    "fin",
    "objet",
    "notes",
)
RELATION_ALIASES = {
    "de": "source",
    "vers": "cible",
    "type de relation": "type",
    "forme de partenariat": "forme",
    "date de debut": "debut",
    "date de fin": "fin",
}


@dataclass
class Settings:
    """Settings of a workspace (``territoire.toml``)."""

    titre: str
    perimetre: list[str]
    territoire_nom: str = ""
    auteur: str = ""
    structure: str = ""
    date: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_toml(self) -> str:
        import tomli_w

        data: dict[str, Any] = {
            "titre": self.titre,
            "auteur": self.auteur,
            "structure": self.structure,
            "date": self.date,
        }
        data.update({k: v for k, v in self.extra.items() if not isinstance(v, dict)})
        data["territoire"] = {"nom": self.territoire_nom, "perimetre": list(self.perimetre)}
        data.update({k: v for k, v in self.extra.items() if isinstance(v, dict)})
        header = (
            "# Dossier de diagnostic territorial (territoire).\n"
            "# titre, auteur, date : pour le rapport ; structure : identifiant (colonne id\n"
            "# d'acteurs.csv) de la structure de stage ; territoire.perimetre : codes\n"
            "# officiels du territoire étudié (epci:…, commune:…, departement:…, region:…).\n\n"
        )
        return header + tomli_w.dumps(data)

    @classmethod
    def from_toml(cls, text: str, path: Path) -> Settings:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise WorkspaceError(f"{path} n'est pas un fichier TOML valide : {exc}") from None
        territory = data.pop("territoire", {}) or {}
        perimetre = territory.get("perimetre")
        if isinstance(perimetre, str):
            perimetre = [perimetre]
        if not perimetre:
            raise WorkspaceError(
                f"{path} : il manque le périmètre du territoire "
                "([territoire] perimetre = [\"epci:200040392\"] par exemple)."
            )
        known = {k: data.pop(k, "") for k in ("titre", "auteur", "structure", "date")}
        return cls(
            titre=str(known["titre"]),
            perimetre=[str(p) for p in perimetre],
            territoire_nom=str(territory.get("nom", "")),
            auteur=str(known["auteur"]),
            structure=str(known["structure"]),
            date=str(known["date"]),
            extra=data,
        )


class Workspace:
    """An open workspace folder; tables are read on first access."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        settings_path = self.path / SETTINGS_FILE
        if not self.path.is_dir():
            raise WorkspaceError(
                f"Le dossier « {self.path} » n'existe pas. Créez-le avec : territoire init {self.path} --territoire \"…\""
            )
        if not settings_path.exists():
            raise WorkspaceError(
                f"« {self.path} » n'est pas un dossier de diagnostic (pas de {SETTINGS_FILE}). "
                f"Créez-en un avec : territoire init {self.path} --territoire \"…\""
            )
        self.settings = Settings.from_toml(settings_path.read_text("utf-8-sig"), settings_path)
        self._actors: Table | None = None
        self._relations: Table | None = None

    # -- tables
    @property
    def actors_path(self) -> Path:
        return self.path / ACTORS_FILE

    @property
    def relations_path(self) -> Path:
        return self.path / RELATIONS_FILE

    @property
    def actors(self) -> Table:
        if self._actors is None:
            if self.actors_path.exists():
                self._actors = read_table(
                    self.actors_path, ACTOR_COLUMNS, ACTOR_ALIASES, decimal_columns=("latitude", "longitude")
                )
            else:
                self._actors = empty_table(ACTOR_COLUMNS, self.actors_path)
        return self._actors

    @property
    def relations(self) -> Table:
        if self._relations is None:
            if self.relations_path.exists():
                self._relations = read_table(self.relations_path, RELATION_COLUMNS, RELATION_ALIASES)
            else:
                self._relations = empty_table(RELATION_COLUMNS, self.relations_path)
        return self._relations

    def save_actors(self, table: Table | None = None) -> list[str]:
        if table is not None:
            self._actors = table
        return write_table(self.actors, self.actors_path)

    def save_relations(self, table: Table | None = None) -> list[str]:
        if table is not None:
            self._relations = table
        return write_table(self.relations, self.relations_path)

    # -- paths
    def resolve_path(self, relative: str) -> Path:
        """A path written in a table, relative to the workspace folder."""
        path = Path(relative)
        return path if path.is_absolute() else self.path / path

    def results_dir(self) -> Path:
        folder = self.path / RESULTS_DIR
        folder.mkdir(exist_ok=True)
        return folder

    def territory(self):
        """The territory of the workspace, resolved from its stored perimeter."""
        from territoire.referentiel.selection import resolve

        return resolve(self.settings.perimetre)

    @property
    def date(self) -> dt.date:
        """Date of the diagnosis (settings), today when not set."""
        try:
            return dt.date.fromisoformat(self.settings.date)
        except ValueError:
            return dt.date.today()


def empty_table(columns, path: Path | None = None) -> Table:
    table = table_from_records([], columns)
    table.path = path
    table.dialect = DEFAULT_DIALECT
    return table
