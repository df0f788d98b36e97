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
from territoire.dossier import vocab
from territoire._errors import SpecError
from territoire._text import name_key, slugify
from territoire.dossier.tables import Table, parse_decimal
from territoire.dossier.workspace import ACTORS_FILE, Workspace
from territoire.dossier.cellules import _EMAIL, _nullable, parse_date, split_cell
from territoire.dossier.couvertures import _default_coverage, _workspace_file, check_zone_file, parse_coverage_token
from territoire.dossier.problemes import ERROR, Problem, WARNING
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
    facts = referentiel.commune_facts()
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
