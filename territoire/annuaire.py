"""The actor directory: reading, checking and editing actors and relations.

:func:`parse_actors` and :func:`parse_relations` turn the text tables of a workspace
into typed frames (codes normalised, locations resolved, coverage parsed) and list
every problem found, each with its file, line, column and a fix. Nothing is ever
dropped silently: a row with an error is kept, marked ``valide = False``, and the
problem says what was left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from . import referentiel, settings, vocab
from ._errors import SpecError, TerritoireError
from ._text import name_key, name_with_charniere, slugify
from .tables import DEFAULT_DIALECT, Table, format_decimal, parse_decimal, table_from_records
from .workspace import (
    ACTOR_COLUMNS,
    ACTORS_FILE,
    RELATION_COLUMNS,
    RELATIONS_FILE,
    SETTINGS_FILE,
    ZONES_DIR,
    Settings,
    Workspace,
)

ERROR = "erreur"
WARNING = "avertissement"

#: Rough bounding boxes (lon_min, lat_min, lon_max, lat_max) of France and its overseas départements.
FRANCE_BOXES = {
    "metropole": (-5.6, 41.2, 9.8, 51.2),
    "971": (-61.9, 15.8, -60.9, 16.6),
    "972": (-61.3, 14.3, -60.7, 14.95),
    "973": (-54.7, 2.0, -51.5, 5.9),
    "974": (55.1, -21.5, 56.0, -20.8),
    "976": (44.9, -13.1, 45.4, -12.5),
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


# --------------------------------------------------------------------------- small parsers


def split_cell(text: str) -> list[str]:
    """Items of a list cell: ``a|b`` (or ``a, b`` when there is no ``|``)."""
    text = str(text or "").strip()
    if not text:
        return []
    separator = "|" if "|" in text else ("," if "," in text else (";" if ";" in text else None))
    items = text.split(separator) if separator else [text]
    return [item.strip() for item in items if item.strip()]


def parse_date(text: str, *, end: bool = False) -> dt.date | None:
    """``2024-03-01``, ``01/03/2024``, ``2024-03`` or ``2024`` → a date (None if empty).

    With ``end``, a year or a month alone means its last day. Raises ValueError when
    the text is not a date.
    """
    text = str(text or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or None
    if match:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        return dt.date(int(match[3]), int(match[2]), int(match[1]))
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if match:
        year, month = (int(match[1]), int(match[2])) if len(match[1]) == 4 else (int(match[2]), int(match[1]))
        if end:
            following = dt.date(year + (month == 12), month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(year, month, 1)
    match = re.fullmatch(r"(\d{4})", text)
    if match:
        return dt.date(int(match[1]), 12, 31) if end else dt.date(int(match[1]), 1, 1)
    raise ValueError(text)


def zone_of_point(lon: float, lat: float) -> str | None:
    """Which box of :data:`FRANCE_BOXES` contains the point (None: outside France)."""
    for zone, (x0, y0, x1, y1) in FRANCE_BOXES.items():
        if x0 <= lon <= x1 and y0 <= lat <= y1:
            return zone
    return None


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


@lru_cache(maxsize=1)
def _commune_facts() -> dict[str, dict[str, Any]]:
    """Per-column dictionaries of the communes layer (fast scalar lookups)."""
    table = referentiel.communes(geometry=False)
    columns = ("nom", "departement", "epci", "region", "mairie_lon", "mairie_lat")
    index = table.index.tolist()
    return {column: dict(zip(index, table[column].tolist())) for column in columns}


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
        from .selection import resolve_token

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


@lru_cache(maxsize=4096)
def _resolve_place(token: str):
    from .selection import resolve_token

    return resolve_token(token)


def parse_coverage_token(token: str) -> tuple[str, Any]:
    """One coverage item: ``("rayon", 15.0)``, ``("zone", path)``, ``("epci", "200040392")``...

    Raises SpecError with a French message when it cannot be understood.
    """
    text = token.strip()
    prefix, sep, rest = text.partition(":")
    key = name_key(prefix)
    if sep and key in ("rayon", "radius"):
        value = rest.strip().lower().removesuffix("km").strip()
        number = parse_decimal(value)
        if number is None or number < 0:
            raise SpecError(f"« {text} » : le rayon doit être un nombre de kilomètres positif (par ex. rayon:15)")
        return "rayon", number
    if sep and key == "zone":
        if not rest.strip():
            raise SpecError(f"« {text} » : il manque le chemin du fichier de zone (par ex. zone:zones/secteur.geojson)")
        return "zone", rest.strip()
    place = _resolve_place(text)
    return place.kind, place.code


@lru_cache(maxsize=64)
def _zone_file_check(path: str, mtime: float) -> str:
    """Empty string when the zone file holds polygons, else the French reason."""
    import geopandas as gpd

    try:
        zone = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reading error is reported to the user
        return f"fichier de zone illisible ({type(exc).__name__} : {str(exc)[:120]})"
    if zone.empty or zone.geometry.isna().all():
        return "le fichier de zone ne contient aucune géométrie"
    kinds = set(zone.geometry.dropna().geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        return f"le fichier de zone doit contenir des polygones (trouvé : {', '.join(sorted(kinds))})"
    if zone.crs is None:
        return "le fichier de zone n'indique pas sa projection (CRS)"
    return ""


def check_zone_file(path: Path) -> str:
    if not path.exists():
        return f"fichier de zone introuvable : {path}"
    return _zone_file_check(str(path), path.stat().st_mtime)


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


def _vocabulary_code(vocabulary, column: str, value: str, problem) -> str | None:
    """Code of ``value`` in ``vocabulary``; an unknown value is an error of ``column``."""
    code = vocabulary.lookup(value)
    if code is None:
        problem(ERROR, column, value, vocabulary.explain_unknown(value), f"territoire vocabulaire {vocabulary.name}")
    return code


def parse_actors(table: Table, context: Context | None = None, *, file_name: str = ACTORS_FILE) -> Parsed:
    """Typed actors (GeoDataFrame of points, EPSG:4326) and every problem found."""
    import geopandas as gpd

    context = context or Context()
    problems: list[Problem] = []
    vocabularies = {name: vocab.vocabulary(name) for name in ("familles", "types", "statuts", "domaines", "publics", "roles", "niveaux_reseau")}
    facts = _commune_facts()
    resolve_commune = _CommuneResolver(context)
    cells = {name: table.get(name).fillna("").astype(str).tolist() for name in table.known or ()}

    def cell(name: str, i: int) -> str:
        column = cells.get(name)
        return column[i].strip() if column is not None else ""

    rows: list[dict[str, Any]] = []
    seen_ids: dict[str, int] = {}
    n = len(table.frame)
    for i in range(n):
        line = table.line_of(i)
        row_problems: list[Problem] = []

        def problem(gravite, column, value, message, fix="", *, _line=line, _bucket=row_problems):
            _bucket.append(Problem(gravite, file_name, _line, column, value, message, fix))

        nom = cell("nom", i)
        ident = cell("id", i)
        if not nom:
            problem(ERROR, "nom", "", "le nom de l'acteur est vide", "écrivez le nom de la structure")
        if not ident:
            ident = slugify(nom) if nom else f"ligne-{line or i + 2}"
            problem(WARNING, "id", "", f"identifiant vide : « {ident} » est utilisé", "écrivez un identifiant court et stable (lettres, chiffres, tirets)")
        if ident in seen_ids:
            problem(ERROR, "id", ident, f"identifiant « {ident} » déjà utilisé ligne {seen_ids[ident]}", "donnez un identifiant unique à chaque acteur")
            ident = f"{ident}~{i + 1}"
        else:
            seen_ids[ident] = line or i + 2

        def one(name: str, column: str) -> str | None:
            value = cell(column, i)
            return _vocabulary_code(vocabularies[name], column, value, problem) if value else None

        def many(name: str, column: str) -> tuple[str, ...]:
            codes = []
            for value in split_cell(cell(column, i)):
                code = _vocabulary_code(vocabularies[name], column, value, problem)
                if code is not None and code not in codes:
                    codes.append(code)
            return tuple(codes)

        type_code = one("types", "type")
        famille = one("familles", "famille") or (vocab.default_family(type_code) if type_code else None)
        if not cell("type", i) and nom:
            problem(WARNING, "type", "", "type de structure non renseigné", "territoire vocabulaire types")
        statut = (
            one("statuts", "statut")
            or (vocabularies["types"].get(type_code, "statut") if type_code else None)
            or (vocabularies["familles"].get(famille, "statut") if famille else None)
        )
        domaines = many("domaines", "domaines")
        publics = many("publics", "publics")
        if "tous-publics" in publics and len(publics) > 1:
            problem(WARNING, "publics", cell("publics", i), "« tous publics » s'emploie seul", "retirez les autres publics ou « tous publics »")
        role = one("roles", "role")
        niveau = one("niveaux_reseau", "niveau_reseau")

        commune_text = cell("commune", i)
        commune = None
        if commune_text:
            commune, message, fix = resolve_commune(commune_text)
            if commune is None:
                problem(ERROR, "commune", commune_text, message, fix)

        lat_text, lon_text = cell("latitude", i), cell("longitude", i)
        lat, lon = parse_decimal(lat_text), parse_decimal(lon_text)
        point_ok = False
        if lat_text or lon_text:
            if lat is None or lon is None:
                bad = "latitude" if lat is None else "longitude"
                problem(ERROR, bad, lat_text if lat is None else lon_text, "coordonnée absente ou illisible", "écrivez latitude et longitude en degrés décimaux (45,18 ou 45.18)")
            elif zone_of_point(lon, lat) is None:
                if zone_of_point(lat, lon) is not None:
                    problem(ERROR, "latitude", f"{lat_text} ; {lon_text}", "latitude et longitude semblent inversées", f"échangez-les : latitude {lon_text}, longitude {lat_text}")
                else:
                    problem(ERROR, "latitude", f"{lat_text} ; {lon_text}", "ce point est hors de France", "vérifiez les coordonnées (degrés décimaux, latitude ≈ 41 à 51 en métropole)")
            else:
                point_ok = True
        if point_ok:
            localisation = "coordonnées"
        elif commune is not None and not pd.isna(facts["mairie_lon"][commune]):
            lon, lat = float(facts["mairie_lon"][commune]), float(facts["mairie_lat"][commune])
            localisation = "mairie de la commune"
        else:
            lon = lat = None
            localisation = "non localisé"
            if nom:
                problem(WARNING, "commune", commune_text, "acteur non localisé (ni coordonnées ni commune)", "renseignez la commune ou les coordonnées")

        coverage_text = cell("couverture", i)
        items: list[tuple[str, Any]] = []
        default = not coverage_text
        for token in split_cell(coverage_text):
            try:
                kind, value = parse_coverage_token(token)
            except SpecError as exc:
                problem(ERROR, "couverture", token, f"couverture non reconnue : {exc}", "codes officiels, noms, region:75, canton:2412, rayon:15 ou zone:zones/fichier.geojson")
                continue
            if kind == "zone" and context.workspace_path is not None:
                reason = check_zone_file(_workspace_file(context.workspace_path, value))
                if reason:
                    problem(ERROR, "couverture", token, reason, "placez le fichier dans le dossier zones/ et vérifiez son chemin")
                    continue
            if kind == "rayon" and lon is None:
                problem(ERROR, "couverture", token, "un rayon demande un acteur localisé", "renseignez la commune ou les coordonnées")
                continue
            items.append((kind, value))
        if default:
            level = vocab.default_coverage(type_code) if type_code else "commune"
            items = _default_coverage(level, commune, facts)
            if not items and nom:
                problem(WARNING, "couverture", "", "couverture vide et impossible à déduire (pas de commune) : l'acteur n'entre pas dans les analyses de couverture", "indiquez la commune ou la zone d'intervention (codes, noms, rayon:…)")
        elif coverage_text and not items:
            pass  # every token failed and was reported

        email = cell("courriel", i)
        if email and not _EMAIL.match(email):
            problem(WARNING, "courriel", email, "adresse électronique mal formée", "forme attendue : nom@domaine.fr")
        date_text = cell("mise_a_jour", i)
        try:
            date_value = parse_date(date_text)
        except ValueError:
            date_value = None
            problem(WARNING, "mise_a_jour", date_text, "date illisible", "écrivez AAAA-MM-JJ ou JJ/MM/AAAA")

        if context.territory_communes and commune is not None and commune not in context.territory_communes:
            reference = next(iter(context.territory_communes))
            covers_all = any(k == "france" for k, _ in items) or any(
                k in ("departement", "region") and v == facts[k][reference] for k, v in items
            )
            if not covers_all:
                problem(WARNING, "commune", commune_text, "acteur situé hors du territoire étudié", "vérifiez la commune, ou gardez-le s'il intervient sur le territoire")

        for p in row_problems:
            p.acteur = ident
        problems.extend(row_problems)
        rows.append(
            {
                "id": ident,
                "nom": nom or ident,
                "famille": famille,
                "type": type_code,
                "statut": statut,
                "domaines": domaines,
                "publics": publics,
                "role": role,
                "niveau_reseau": niveau,
                "adresse": cell("adresse", i),
                "commune": commune,
                "commune_nom": facts["nom"][commune] if commune else None,
                "departement": facts["departement"][commune] if commune else None,
                "latitude": lat,
                "longitude": lon,
                "localisation": localisation,
                "couverture": coverage_text,
                "couverture_items": items,
                "couverture_defaut": default,
                "telephone": cell("telephone", i),
                "courriel": email,
                "site": cell("site", i),
                "horaires": cell("horaires", i),
                "source": cell("source", i),
                "mise_a_jour": date_value,
                "notes": cell("notes", i),
                "ligne": line,
                "valide": not any(p.gravite == ERROR for p in row_problems),
            }
        )
    frame = _nullable(pd.DataFrame(rows, columns=list(ACTOR_FRAME_COLUMNS)), ("famille", "type", "statut", "role", "niveau_reseau", "commune", "commune_nom", "departement", "mise_a_jour"))
    geometry = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs=settings.crs(settings.CRS_WGS84))
    actors = gpd.GeoDataFrame(frame, geometry=geometry, crs=settings.crs(settings.CRS_WGS84))
    actors.index = pd.Index(actors["id"], name="acteur")
    return Parsed(actors, problems)


def _workspace_file(root: Path, relative: str) -> Path:
    path = Path(relative)
    return path if path.is_absolute() else root / path


def _default_coverage(level: str, commune: str | None, facts: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, Any]]:
    """Coverage implied by the type when the cell is empty."""
    if level == "france":
        return [("france", "france")]
    if commune is None:
        return []
    if level == "commune":
        return [("commune", commune)]
    code = facts[level].get(commune) if level in facts else None
    if code is None or pd.isna(code) or code == "":
        return [("commune", commune)]
    return [(level, code)]


def describe_coverage(items: Sequence[tuple[str, Any]], *, default: bool = False) -> str:
    """Coverage in words: ``département de la Dordogne``, ``3 communes``, ``rayon de 12 km``."""
    if not items:
        return "non déterminée"
    facts = _commune_facts()
    parts: list[str] = []
    commune_items = [v for k, v in items if k == "commune"]
    if len(commune_items) == 1:
        parts.append(str(facts["nom"][commune_items[0]]))
    elif commune_items:
        parts.append(f"{len(commune_items)} communes")
    for kind, value in items:
        if kind == "epci":
            parts.append(str(referentiel.epci(geometry=False).at[value, "nom"]))
        elif kind == "departement":
            deps = referentiel.departements(geometry=False)
            parts.append(f"département {deps.at[value, 'nom_avec_charniere']}")
        elif kind == "region":
            parts.append(f"région {referentiel.regions(geometry=False).at[value, 'nom_avec_charniere']}")
        elif kind == "canton":
            parts.append(f"canton {referentiel.cantons(geometry=False).at[value, 'nom']}")
        elif kind == "france":
            parts.append("France entière")
        elif kind == "rayon":
            parts.append(f"rayon de {value:g} km".replace(".", ","))
        elif kind == "zone":
            parts.append(f"zone {Path(value).name}")
    text = ", ".join(parts)
    return f"{text} (par défaut selon le type)" if default else text


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
                close = _closest_ids(value, actor_ids)
                hint = f"vouliez-vous dire {', '.join(close)} ?" if close else "ajoutez d'abord l'acteur"
                problem(ERROR, column, value, f"acteur inconnu « {value} »", hint)
                ends[column] = None
        source, cible = ends["source"], ends["cible"]
        if source and source == cible:
            problem(ERROR, "cible", cible, "une relation d'un acteur avec lui-même n'a pas de sens", "corrigez la source ou la cible")

        def one(name: str, column: str) -> str | None:
            value = cell(column)
            return _vocabulary_code(vocabularies[name], column, value, problem) if value else None

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
    return Parsed(_nullable(frame, ("type", "forme", "formalisation", "debut", "fin")), problems)


def _nullable(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Object columns where a missing value is None (never a float NaN)."""
    for column in columns:
        values = frame[column].astype(object)
        frame[column] = values.where(values.notna(), None)
    return frame


def _closest_ids(value: str, ids: Sequence[str], limit: int = 3) -> list[str]:
    from rapidfuzz import fuzz, process

    return [m for m, _s, _p in process.extract(value, list(ids), scorer=fuzz.WRatio, limit=limit, score_cutoff=70)]


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
    names = dict(zip(actors.frame["id"], actors.frame["nom"]))
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


# --------------------------------------------------------------------------- reference actors


def reference_actors(territory, *, date: str) -> list[dict[str, str]]:
    """Actors known from the reference data for a territory.

    The mairie of every commune (address, point, contacts, opening hours), each EPCI
    touching the territory, and for each département and région concerned the
    conseil départemental, the préfecture and the conseil régional (the two last
    located at the chef-lieu's mairie, as the source gives no other address).
    """
    communes = referentiel.communes(geometry=False)
    local = communes.loc[list(territory.communes)].sort_index()
    rows: list[dict[str, str]] = []

    def located_at(code: str) -> dict[str, str]:
        row = communes.loc[code]
        return {
            "commune": code,
            "latitude": format_decimal(row["mairie_lat"], DEFAULT_DIALECT) if not pd.isna(row["mairie_lat"]) else "",
            "longitude": format_decimal(row["mairie_lon"], DEFAULT_DIALECT) if not pd.isna(row["mairie_lon"]) else "",
        }

    base = {"source": "référentiel", "mise_a_jour": date, "statut": "public", "niveau_reseau": "secondaire-formel"}
    for code, row in local.iterrows():
        replaced = row["mairie_point"] != "mairie"
        rows.append(
            {
                "notes": "Point de la mairie absent ou incohérent dans la source : point placé à l'intérieur de la commune." if replaced else "",
                "id": f"mairie-{code}",
                "nom": f"Mairie {name_with_charniere(row['nom_sans_article'], row['type_nom'])}",
                "famille": "collectivite",
                "type": "MUNI",
                "publics": "tous-publics",
                "role": "institutionnel",
                "adresse": row["mairie_adresse"],
                **located_at(code),
                "couverture": code,
                "telephone": row["mairie_telephone"],
                "courriel": row["mairie_courriel"],
                "site": row["mairie_site"],
                "horaires": row["mairie_horaires"],
                **base,
            }
        )
    epci = referentiel.epci(geometry=False)
    for siren in sorted(set(local["epci"].dropna())):
        members = communes[communes["epci"] == siren]
        seat = members["population"].astype("float").idxmax()
        rows.append(
            {
                "id": f"epci-{siren}",
                "nom": epci.at[siren, "nom"],
                "famille": "collectivite",
                "type": "EPCI",
                "publics": "tous-publics",
                "role": "institutionnel",
                **located_at(seat),
                "couverture": siren,
                **base,
                "notes": f"Localisé à la mairie de sa commune la plus peuplée ({communes.at[seat, 'nom']}) : la source ne donne pas l'adresse du siège.",
            }
        )
    deps = referentiel.departements(geometry=False)
    regs = referentiel.regions(geometry=False)
    for dep in sorted(set(local["departement"])):
        seat = deps.at[dep, "chef_lieu"]
        note = f"Localisé à la mairie du chef-lieu ({communes.at[seat, 'nom']}) : la source ne donne pas l'adresse."
        rows.append(
            {
                "id": f"cd-{dep}",
                "nom": f"Conseil départemental {deps.at[dep, 'nom_avec_charniere']}",
                "famille": "collectivite",
                "type": "CD",
                "domaines": "protection-enfance|autonomie|handicap",
                "publics": "tous-publics",
                "role": "financeur",
                **located_at(seat),
                "couverture": dep,
                **base,
                "notes": note,
            }
        )
        rows.append(
            {
                "id": f"prefecture-{dep}",
                "nom": f"Préfecture {deps.at[dep, 'nom_avec_charniere']}",
                "famille": "etat",
                "type": "PREF",
                "publics": "tous-publics",
                "role": "institutionnel",
                **located_at(seat),
                "couverture": dep,
                **base,
                "notes": note,
            }
        )
    for reg in sorted(set(local["region"])):
        seat = regs.at[reg, "chef_lieu"]
        rows.append(
            {
                "id": f"cr-{reg}",
                "nom": f"Conseil régional {regs.at[reg, 'nom_avec_charniere']}",
                "famille": "collectivite",
                "type": "REG",
                "domaines": "se-former",
                "publics": "tous-publics",
                "role": "financeur",
                **located_at(seat),
                "couverture": f"region:{reg}",
                **base,
                "notes": f"Localisé à la mairie du chef-lieu de région ({communes.at[seat, 'nom']}) : la source ne donne pas l'adresse.",
            }
        )
    return rows


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
    close = _closest_ids(ident, table.get("id").astype(str).tolist())
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
    parsed = parse_relations(sub, list(directory.actors["id"]), dict(zip(directory.actors["id"], directory.actors["nom"])))
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
        from .selection import resolve

        codes = set(resolve(commune, "commune").communes)
        mask &= actors["commune"].isin(codes)
    return actors[mask]


# --------------------------------------------------------------------------- creation

ZONES_README = """Fichiers de zone (secteurs dessinés à la main, périmètres d'un dispositif…).

Formats acceptés : GeoJSON (.geojson), GeoPackage (.gpkg), Shapefile (.shp avec ses
fichiers compagnons). Le fichier doit contenir des polygones et indiquer sa projection.
Dans acteurs.csv, un acteur s'y réfère par sa couverture : zone:zones/mon-secteur.geojson
"""


def create_workspace(
    path: str | Path,
    territory_spec: str | Sequence[str],
    *,
    structure: str | None = None,
    title: str | None = None,
    author: str = "",
    date: dt.date | None = None,
    prefill: bool = True,
) -> Workspace:
    """Create a workspace folder pre-filled (unless ``prefill`` is false) with the actors
    of the reference data."""
    from ._io import atomic_write_text
    from .selection import resolve
    from .tables import write_table

    folder = Path(path)
    if folder.exists() and any(folder.iterdir()):
        raise TerritoireError(
            f"le dossier « {folder} » existe déjà et n'est pas vide : choisissez un autre nom "
            "(rien n'a été modifié)"
        )
    territory = resolve(territory_spec)
    date = date or dt.date.today()
    rows = reference_actors(territory, date=date.isoformat()) if prefill else []
    structure_id = ""
    if structure:
        match = [r for r in rows if name_key(r["nom"]) == name_key(structure)]
        if match:
            structure_id = match[0]["id"]
        else:
            structure_id = unique_id(slugify(structure), [r["id"] for r in rows])
            rows.append(
                {
                    "id": structure_id,
                    "nom": structure,
                    "role": "interne",
                    "source": "saisie",
                    "mise_a_jour": date.isoformat(),
                    "notes": "Structure de stage : complétez le type, la famille, les domaines, la commune et la couverture.",
                }
            )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ZONES_DIR).mkdir(exist_ok=True)
    atomic_write_text(folder / ZONES_DIR / "LISEZMOI.txt", ZONES_README)
    settings = Settings(
        titre=title or f"Diagnostic territorial — {territory.label}",
        perimetre=territory.tokens,
        territoire_nom=territory.label,
        auteur=author,
        structure=structure_id,
        date=date.isoformat(),
    )
    atomic_write_text(folder / SETTINGS_FILE, settings.to_toml())
    write_table(table_from_records(rows, ACTOR_COLUMNS), folder / ACTORS_FILE)
    write_table(table_from_records([], RELATION_COLUMNS), folder / RELATIONS_FILE)
    return Workspace(folder)


DEMO_FOLDER = "demo-grand-perigueux"


def create_demo(path: str | Path = DEMO_FOLDER) -> Workspace:
    """Copy the embedded demo workspace (Le Grand Périgueux) into ``path``.

    The reference actors (mairies, EPCI, département, région, préfecture) are built
    from the reference data at this moment; the illustrative actors, relations and
    zone files come from the package's data folder.
    """
    import shutil

    from ._data import data_path
    from .tables import read_table, write_table

    source = data_path("demo")
    settings = Settings.from_toml((source / SETTINGS_FILE).read_text("utf-8"), source / SETTINGS_FILE)
    date = dt.date.fromisoformat(settings.date)
    workspace = create_workspace(path, settings.perimetre, title=settings.titre, author=settings.auteur, date=date)
    folder = workspace.path
    illustrative = read_table(source / ACTORS_FILE, ACTOR_COLUMNS)
    actors = workspace.actors
    for record in illustrative.frame.to_dict(orient="records"):
        actors.append(record)
    write_table(actors, folder / ACTORS_FILE)
    shutil.copyfile(source / RELATIONS_FILE, folder / RELATIONS_FILE)
    for item in (source / ZONES_DIR).iterdir():
        shutil.copyfile(item, folder / ZONES_DIR / item.name)
    for extra in ("LISEZMOI.md",):
        if (source / extra).exists():
            shutil.copyfile(source / extra, folder / extra)
    shutil.copyfile(source / SETTINGS_FILE, folder / SETTINGS_FILE)
    return Workspace(folder)
