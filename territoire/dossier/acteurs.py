"""Reading the actors table: typed actors (codes normalised, locations resolved,
coverage parsed) and every problem found, each with its file, line, column and a fix.

Nothing is ever dropped silently: a row with an error is kept, marked
``valide = False``, and the problem says what was left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from territoire import referentiel, settings
from territoire._errors import SpecError
from territoire._text import name_key, slugify
from territoire.dossier import vocab
from territoire.dossier.cellules import EMAIL, nullable, parse_date, split_cell
from territoire.dossier.couvertures import (
    check_zone_file,
    default_coverage,
    parse_coverage_token,
    workspace_file,
)
from territoire.dossier.problemes import ERROR, WARNING, Problem
from territoire.dossier.tables import Table, parse_decimal
from territoire.dossier.workspace import ACTORS_FILE, Workspace
from territoire.settings import zone_of_point

# --------------------------------------------------------------------------- context


@dataclass
class Context:
    """What parsing needs to know beyond the table itself."""

    territory_communes: frozenset[str] = frozenset()
    workspace_path: Path | None = None
    communes: pd.DataFrame = field(default_factory=lambda: referentiel.communes(geometry=False))

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> Context:
        try:
            codes = frozenset(workspace.territory().communes)
        except SpecError:
            codes = frozenset()
        return cls(codes, workspace.path)


class _CommuneResolver:
    """Resolve the ``commune`` column (code or name), territory first, with a memo."""

    def __init__(self, context: Context) -> None:
        self.table = context.communes
        self.local: dict[str, list[str]] = {}
        for code in context.territory_communes:
            row = self.table.loc[code]
            for key in {name_key(row["nom"]), name_key(row["nom_sans_article"])}:
                self.local.setdefault(key, []).append(code)
        self.memo: dict[str, tuple[str | None, str, str]] = {}

    def __call__(self, text: str) -> tuple[str | None, str, str]:
        """(code, error message, fix) — code None when it cannot be resolved."""
        if text in self.memo:
            return self.memo[text]
        result = self._resolve(text)
        self.memo[text] = result
        return result

    def _resolve(self, text: str) -> tuple[str | None, str, str]:
        from territoire.referentiel.selection import resolve_token

        value = text.strip()
        if re.fullmatch(r"\d{4}", value):
            value = "0" + value
        if re.fullmatch(r"(\d{5}|2[AB]\d{3})", value, re.IGNORECASE):
            value = value.upper()
            if value in self.table.index:
                return value, "", ""
            return None, f"aucune commune n'a le code INSEE « {value} »", "vérifiez le code (5 caractères)"
        local = self.local.get(name_key(value))
        if local and len(local) == 1:
            return local[0], "", ""
        try:
            place = resolve_token(value, "commune")
        except SpecError as exc:
            message = str(exc)
            fix = ""
            suggestions = getattr(exc, "suggestions", None) or getattr(exc, "candidates", None)
            if suggestions:
                fix = "écrivez le code INSEE de la commune voulue"
            return None, message, fix
        return place.code, "", ""


# --------------------------------------------------------------------------- actors


ACTOR_FRAME_COLUMNS = (
    "id", "nom", "famille", "type", "statut", "domaines", "publics", "role", "niveau_reseau",
    "adresse", "commune", "commune_nom", "departement", "latitude", "longitude", "localisation",
    "couverture", "couverture_items", "couverture_defaut", "telephone", "courriel", "site",
    "horaires", "source", "mise_a_jour", "notes", "ligne", "valide",
)


@dataclass
class Parsed:
    """Typed rows and the problems found while reading them."""

    frame: Any
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.gravite == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.gravite == WARNING]


def vocabulary_code(vocabulary, column: str, value: str, problem) -> str | None:
    """Code of ``value`` in ``vocabulary``; an unknown value is an error of ``column``."""
    code = vocabulary.lookup(value)
    if code is None:
        problem(ERROR, column, value, vocabulary.explain_unknown(value), f"territoire vocabulaire {vocabulary.name}")
    return code


_ACTOR_VOCABULARIES = ("familles", "types", "statuts", "domaines", "publics", "roles", "niveaux_reseau")


class _ActorRows:
    """Reads the rows of an actors table one at a time.

    What every row needs (vocabularies, commune facts, the commune resolver, the
    table's cells by column) is prepared once; :meth:`parse` then turns row ``i`` into
    a typed record, appending its problems (in the order of the columns a student
    reads) to :attr:`problems`.
    """

    def __init__(self, table: Table, context: Context, file_name: str) -> None:
        self.table = table
        self.context = context
        self.file_name = file_name
        self.vocabularies = {name: vocab.vocabulary(name) for name in _ACTOR_VOCABULARIES}
        self.facts = referentiel.commune_facts()
        self.resolve_commune = _CommuneResolver(context)
        self.cells = {name: table.get(name).fillna("").astype(str).tolist() for name in table.known or ()}
        self.seen_ids: dict[str, int] = {}
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

    def many(self, name: str, column: str) -> tuple[str, ...]:
        codes: list[str] = []
        for value in split_cell(self.cell(column)):
            code = vocabulary_code(self.vocabularies[name], column, value, self.problem)
            if code is not None and code not in codes:
                codes.append(code)
        return tuple(codes)

    # -- one row
    def parse(self, i: int) -> dict[str, Any]:
        self.i, self.line, self.row_problems = i, self.table.line_of(i), []
        nom, ident = self._identity()
        kinds = self._vocabularies(nom)
        commune, lon, lat, localisation = self._location(nom)
        coverage_text = self.cell("couverture")
        items = self._coverage(coverage_text, kinds["type"], commune, lon, nom)
        email = self.cell("courriel")
        if email and not EMAIL.match(email):
            self.problem(WARNING, "courriel", email, "adresse électronique mal formée", "forme attendue : nom@domaine.fr")
        date_text = self.cell("mise_a_jour")
        try:
            date_value = parse_date(date_text)
        except ValueError:
            date_value = None
            self.problem(WARNING, "mise_a_jour", date_text, "date illisible", "écrivez AAAA-MM-JJ ou JJ/MM/AAAA")
        self._check_inside_territory(commune, items)
        for p in self.row_problems:
            p.acteur = ident
        self.problems.extend(self.row_problems)
        return {
            "id": ident,
            "nom": nom or ident,
            **kinds,
            "adresse": self.cell("adresse"),
            "commune": commune,
            "commune_nom": self.facts["nom"][commune] if commune else None,
            "departement": self.facts["departement"][commune] if commune else None,
            "latitude": lat,
            "longitude": lon,
            "localisation": localisation,
            "couverture": coverage_text,
            "couverture_items": items,
            "couverture_defaut": not coverage_text,
            "telephone": self.cell("telephone"),
            "courriel": email,
            "site": self.cell("site"),
            "horaires": self.cell("horaires"),
            "source": self.cell("source"),
            "mise_a_jour": date_value,
            "notes": self.cell("notes"),
            "ligne": self.line,
            "valide": not any(p.gravite == ERROR for p in self.row_problems),
        }

    def _identity(self) -> tuple[str, str]:
        """Name and identifier (a duplicate identifier is an error, and made unique)."""
        nom, ident = self.cell("nom"), self.cell("id")
        if not nom:
            self.problem(ERROR, "nom", "", "le nom de l'acteur est vide", "écrivez le nom de la structure")
        if not ident:
            ident = slugify(nom) if nom else f"ligne-{self.line or self.i + 2}"
            self.problem(WARNING, "id", "", f"identifiant vide : « {ident} » est utilisé", "écrivez un identifiant court et stable (lettres, chiffres, tirets)")
        if ident in self.seen_ids:
            self.problem(ERROR, "id", ident, f"identifiant « {ident} » déjà utilisé ligne {self.seen_ids[ident]}", "donnez un identifiant unique à chaque acteur")
            ident = f"{ident}~{self.i + 1}"
        else:
            self.seen_ids[ident] = self.line or self.i + 2
        return nom, ident

    def _vocabularies(self, nom: str) -> dict[str, Any]:
        """Type, family, status, domains, publics, role and network level as codes."""
        types = self.vocabularies["types"]
        type_code = self.one("types", "type")
        famille = self.one("familles", "famille") or (vocab.default_family(type_code) if type_code else None)
        if not self.cell("type") and nom:
            self.problem(WARNING, "type", "", "type de structure non renseigné", "territoire vocabulaire types")
        statut = (
            self.one("statuts", "statut")
            or (types.get(type_code, "statut") if type_code else None)
            or (self.vocabularies["familles"].get(famille, "statut") if famille else None)
        )
        domaines = self.many("domaines", "domaines")
        publics = self.many("publics", "publics")
        if "tous-publics" in publics and len(publics) > 1:
            self.problem(WARNING, "publics", self.cell("publics"), "« tous publics » s'emploie seul", "retirez les autres publics ou « tous publics »")
        return {
            "famille": famille,
            "type": type_code,
            "statut": statut,
            "domaines": domaines,
            "publics": publics,
            "role": self.one("roles", "role"),
            "niveau_reseau": self.one("niveaux_reseau", "niveau_reseau"),
        }

    def _location(self, nom: str) -> tuple[str | None, float | None, float | None, str]:
        """Commune, point (its coordinates, else its commune's mairie) and how it was found."""
        commune_text = self.cell("commune")
        commune = None
        if commune_text:
            commune, message, fix = self.resolve_commune(commune_text)
            if commune is None:
                self.problem(ERROR, "commune", commune_text, message, fix)
        lat_text, lon_text = self.cell("latitude"), self.cell("longitude")
        lat, lon = parse_decimal(lat_text), parse_decimal(lon_text)
        if (lat_text or lon_text) and self._point_ok(lat_text, lon_text, lat, lon):
            return commune, lon, lat, "coordonnées"
        if commune is not None and not pd.isna(self.facts["mairie_lon"][commune]):
            return commune, float(self.facts["mairie_lon"][commune]), float(self.facts["mairie_lat"][commune]), "mairie de la commune"
        if nom:
            self.problem(WARNING, "commune", commune_text, "acteur non localisé (ni coordonnées ni commune)", "renseignez la commune ou les coordonnées")
        return commune, None, None, "non localisé"

    def _point_ok(self, lat_text: str, lon_text: str, lat: float | None, lon: float | None) -> bool:
        """Whether the written coordinates are a point in France (else say why not)."""
        if lat is None or lon is None:
            bad = "latitude" if lat is None else "longitude"
            self.problem(ERROR, bad, lat_text if lat is None else lon_text, "coordonnée absente ou illisible", "écrivez latitude et longitude en degrés décimaux (45,18 ou 45.18)")
            return False
        if zone_of_point(lon, lat) is not None:
            return True
        if zone_of_point(lat, lon) is not None:
            self.problem(ERROR, "latitude", f"{lat_text} ; {lon_text}", "latitude et longitude semblent inversées", f"échangez-les : latitude {lon_text}, longitude {lat_text}")
        else:
            self.problem(ERROR, "latitude", f"{lat_text} ; {lon_text}", "ce point est hors de France", "vérifiez les coordonnées (degrés décimaux, latitude ≈ 41 à 51 en métropole)")
        return False

    def _coverage(self, text: str, type_code: str | None, commune: str | None, lon: float | None, nom: str) -> list[tuple[str, Any]]:
        """Items of the coverage cell; an empty cell means the type's usual coverage."""
        if not text:
            level = vocab.default_coverage(type_code) if type_code else "commune"
            items = default_coverage(level, commune, self.facts)
            if not items and nom:
                self.problem(WARNING, "couverture", "", "couverture vide et impossible à déduire (pas de commune) : l'acteur n'entre pas dans les analyses de couverture", "indiquez la commune ou la zone d'intervention (codes, noms, rayon:…)")
            return items
        items = []
        for token in split_cell(text):
            try:
                kind, value = parse_coverage_token(token)
            except SpecError as exc:
                self.problem(ERROR, "couverture", token, f"couverture non reconnue : {exc}", "codes officiels, noms, region:75, canton:2412, rayon:15 ou zone:zones/fichier.geojson")
                continue
            if kind == "zone" and self.context.workspace_path is not None:
                reason = check_zone_file(workspace_file(self.context.workspace_path, value))
                if reason:
                    self.problem(ERROR, "couverture", token, reason, "placez le fichier dans le dossier zones/ et vérifiez son chemin")
                    continue
            if kind == "rayon" and lon is None:
                self.problem(ERROR, "couverture", token, "un rayon demande un acteur localisé", "renseignez la commune ou les coordonnées")
                continue
            items.append((kind, value))
        return items

    def _check_inside_territory(self, commune: str | None, items: list[tuple[str, Any]]) -> None:
        """Warn about an actor located outside the territory that does not cover it whole."""
        territory = self.context.territory_communes
        if not territory or commune is None or commune in territory:
            return
        reference = next(iter(territory))
        covers_all = any(k == "france" for k, _ in items) or any(
            k in ("departement", "region") and v == self.facts[k][reference] for k, v in items
        )
        if not covers_all:
            self.problem(WARNING, "commune", self.cell("commune"), "acteur situé hors du territoire étudié", "vérifiez la commune, ou gardez-le s'il intervient sur le territoire")


def parse_actors(table: Table, context: Context | None = None, *, file_name: str = ACTORS_FILE) -> Parsed:
    """Typed actors (GeoDataFrame of points, EPSG:4326) and every problem found."""
    import geopandas as gpd

    reader = _ActorRows(table, context or Context(), file_name)
    rows = [reader.parse(i) for i in range(len(table.frame))]
    frame = nullable(pd.DataFrame(rows, columns=list(ACTOR_FRAME_COLUMNS)), ("famille", "type", "statut", "role", "niveau_reseau", "commune", "commune_nom", "departement", "mise_a_jour"))
    crs = settings.crs(settings.CRS_WGS84)
    actors = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"], crs=crs), crs=crs)
    actors.index = pd.Index(actors["id"], name="acteur")
    return Parsed(actors, reader.problems)
