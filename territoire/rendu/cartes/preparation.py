"""What the maps show, prepared once for both renderings (interactive HTML and
static images). No drawing library is imported here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from territoire import referentiel, settings
from territoire._errors import TerritoireError
from territoire._text import fmt_int
from territoire.dossier import vocab


#: Simplification tolerance (metres) of polygons drawn on maps, by number of communes.
def display_tolerance(n_communes: int) -> float:
    if n_communes <= 60:
        return 15.0
    if n_communes <= 800:
        return 40.0
    if n_communes <= 6000:
        return 120.0
    return 300.0


def display_frame(frame, tolerance_m: float):
    """Copy of a GeoDataFrame (EPSG:4326) simplified for display only, per metric zone,
    coordinates rounded to about a metre. Analyses always use the full geometry."""
    import geopandas as gpd
    import shapely

    if frame.empty:
        return frame.copy()
    out = frame.copy()
    zones = out["zone"] if "zone" in out.columns else pd.Series("metropole", index=out.index)
    geoms = out.geometry.copy()
    for zone, index in zones.groupby(zones).groups.items():
        crs = settings.crs_of_zone(zone)
        part = gpd.GeoSeries(out.geometry.loc[index], crs=out.crs).to_crs(crs)
        part = part.simplify(tolerance_m, preserve_topology=True).to_crs(settings.crs(settings.CRS_WGS84))
        geoms.loc[index] = part.to_numpy()
    out = out.set_geometry(gpd.GeoSeries(geoms, crs=settings.crs(settings.CRS_WGS84)))
    out["geometry"] = shapely.set_precision(out.geometry.to_numpy(), grid_size=1e-5)
    return out


def source_line(extra: str = "") -> str:
    meta = referentiel.meta()
    text = f"Découpages et populations : {meta['source']} {meta['version']} ({meta['millesime']})"
    return text + (f" ; {extra}" if extra else "")


@dataclass
class ActorsMap:
    """Everything the actors map shows."""

    title: str
    subtitle: str
    source: str
    communes: Any  # GeoDataFrame: nom, population, acteurs, chevauchement (list of pairs)
    epci: Any
    departements: Any
    actors: Any  # GeoDataFrame of points with display fields
    coverage: Any  # GeoDataFrame of coverage polygons (one per actor shown)
    relations: Any  # GeoDataFrame of lines
    domaine: str | None = None
    domaine_label: str = ""
    families_shown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return tuple(self.communes.total_bounds)


def _labels(codes, name: str) -> str:
    vocabulary = vocab.vocabulary(name)
    return ", ".join(vocabulary.label(c) for c in codes)


def _territory_frames(territory):
    """Communes of the territory, the intercommunalities they belong to and the
    départements (full geometry; simplified later, for display only)."""
    deps = territory.departements
    communes = referentiel.communes(departements=deps).loc[list(territory.communes)]
    epci_codes = sorted(set(communes["epci"].dropna()))
    epci = referentiel.epci(departements=deps)
    epci = epci.loc[[c for c in epci_codes if c in epci.index]]
    departements = referentiel.departements(departements=deps)
    return communes, epci, departements


def _overlap_pairs(analysis, actors, domaine_code: str) -> dict[str, list[str]]:
    """Commune code → the pairs of actors (« A / B ») that overlap there in the domain."""
    overlaps: dict[str, list[str]] = {}
    chosen = analysis.overlaps[analysis.overlaps["domaines"] == domaine_code]
    names = dict(zip(actors.index, actors["nom"], strict=True))
    for row in chosen.itertuples():
        for code in str(row.codes).split("|"):
            overlaps.setdefault(code, []).append(f"{names[row.acteur_a]} / {names[row.acteur_b]}")
    return overlaps


def _commune_table(communes, analysis, actors, domaine_code: str | None):
    """The communes with the number of actors that cover them (in the domain, or in
    any domain) and, for a domain, the overlapping pairs of actors."""
    counts = analysis.counts[domaine_code] if domaine_code else analysis.counts["tous"]
    table = communes[["nom", "population", "zone", "geometry"]].copy()
    table["acteurs"] = counts.reindex(table.index).fillna(0).astype(int)
    overlaps = _overlap_pairs(analysis, actors, domaine_code) if domaine_code else {}
    table["chevauchements"] = [overlaps.get(code, []) for code in table.index]
    return table


def _located_actors(shown):
    """The actors that have a location, with the labels their popups show, and the
    note about those left off the map."""
    from territoire.dossier.couvertures import describe_coverage

    located = shown[shown.geometry.notna() & ~shown.geometry.is_empty].copy()
    notes = []
    missing = len(shown) - len(located)
    if missing:
        notes.append(f"{missing} acteur(s) non localisé(s) ne figurent pas sur la carte.")
    located["type_libelle"] = [vocab.vocabulary("types").label(t) if t else "type non renseigné" for t in located["type"]]
    located["famille_libelle"] = [vocab.vocabulary("familles").label(f) if f else "famille non renseignée" for f in located["famille"]]
    located["domaines_libelle"] = [_labels(d, "domaines") for d in located["domaines"]]
    located["publics_libelle"] = [_labels(p, "publics") for p in located["publics"]]
    located["couverture_texte"] = [
        describe_coverage(items, default=bool(default))
        for items, default in zip(located["couverture_items"], located["couverture_defaut"], strict=True)
    ]
    return located, notes


def _relations_between(directory, located, day: dt.date):
    """Lines of the relations in force on ``day`` between two actors on the map."""
    from territoire.dossier.relations import relations_on

    active = relations_on(directory.relations, day)
    active = active[active["source"].isin(located.index) & active["cible"].isin(located.index)]
    return _relation_lines(active, located)


def _actors_subtitle(located, communes, *, domaine_code: str | None, famille: str | None, type_code: str | None) -> str:
    """« N acteurs (filters) — N communes, N habitants »."""
    filters = []
    if domaine_code:
        filters.append(f"domaine : {vocab.vocabulary('domaines').label(domaine_code)}")
    if famille:
        filters.append(f"famille : {vocab.vocabulary('familles').label(vocab.vocabulary('familles').normalize(famille))}")
    if type_code:
        filters.append(f"type : {vocab.vocabulary('types').label(vocab.vocabulary('types').normalize(type_code))}")
    subtitle = f"{len(located)} acteurs" + (f" ({' ; '.join(filters)})" if filters else "")
    subtitle += f" — {len(communes)} communes, {fmt_int(communes['population'].sum())} habitants"
    return subtitle


def prepare_actors_map(
    workspace,
    *,
    domaine: str | None = None,
    famille: str | None = None,
    type_code: str | None = None,
    date: dt.date | None = None,
    directory=None,
    analysis=None,
    polygons=None,
) -> ActorsMap:
    """Load the workspace and prepare the actors map (filtered by domain, family, type).

    ``directory``, ``analysis`` (a coverage analysis of every domain) and ``polygons``
    (coverage polygons clipped for display) may be given when already computed, as
    the diagnosis does for its several maps.
    """
    from territoire.analyses.couverture import Options, analyse
    from territoire.dossier.annuaire import filter_actors, load_directory

    directory = directory or load_directory(workspace)
    territory = workspace.territory()
    actors = directory.actors
    domaine_code = vocab.vocabulary("domaines").normalize(domaine) if domaine else None
    shown = filter_actors(actors, famille=famille, type_code=type_code, domaine=domaine_code)
    if shown.empty:
        raise TerritoireError("aucun acteur ne correspond à ces filtres : la carte serait vide.")
    communes, epci, departements = _territory_frames(territory)
    tolerance = display_tolerance(len(communes))

    if analysis is None or (domaine_code and domaine_code not in analysis.counts.columns):
        analysis = analyse(directory, Options(domaines=[domaine_code] if domaine_code else None, date=date))
    table = _commune_table(communes, analysis, actors, domaine_code)
    located, notes = _located_actors(shown)

    if polygons is None:
        polygons = display_coverage_polygons(workspace, communes, directory)
    polygons = polygons[polygons["id"].isin(located.index)]
    relations = _relations_between(directory, located, date or workspace.date)

    label = vocab.vocabulary("domaines").label(domaine_code) if domaine_code else ""
    subtitle = _actors_subtitle(located, communes, domaine_code=domaine_code, famille=famille, type_code=type_code)
    source = source_line(f"annuaire : {workspace.path.name} ({workspace.settings.date or 'sans date'})")
    return ActorsMap(
        title=workspace.settings.titre or territory.label,
        subtitle=subtitle,
        source=source,
        communes=display_frame(table, tolerance),
        epci=display_frame(epci.assign(zone=epci["departement"].map(settings.zone_of_departement)), tolerance),
        departements=display_frame(departements, tolerance),
        actors=located,
        coverage=polygons,
        relations=relations,
        domaine=domaine_code,
        domaine_label=label,
        families_shown=[f for f in vocab.vocabulary("familles").codes if f in set(located["famille"])],
        notes=notes,
    )


def display_coverage_polygons(workspace, communes, directory):
    """Coverage areas of every actor, clipped around the territory and simplified."""
    from territoire.analyses.contours import coverage_polygons

    x0, y0, x1, y1 = communes.total_bounds
    margin_x, margin_y = (x1 - x0) * 0.3, (y1 - y0) * 0.3
    polygons = coverage_polygons(workspace, clip=(x0 - margin_x, y0 - margin_y, x1 + margin_x, y1 + margin_y), directory=directory)
    polygons = polygons.assign(zone=[_zone_of(p) for p in polygons.geometry])
    return display_frame(polygons, display_tolerance(len(communes)))


def _zone_of(geometry) -> str:
    from territoire.settings import zone_of_point

    if geometry is None or geometry.is_empty:
        return "metropole"
    point = geometry.representative_point()
    return zone_of_point(point.x, point.y) or "metropole"


def _relation_lines(relations: pd.DataFrame, actors):
    import geopandas as gpd
    from shapely.geometry import LineString

    points = actors.geometry
    names = actors["nom"]
    rows = []
    for rel in relations.itertuples():
        a, b = points[rel.source], points[rel.cible]
        rows.append(
            {
                "source": rel.source,
                "cible": rel.cible,
                "source_nom": names[rel.source],
                "cible_nom": names[rel.cible],
                "type": rel.type,
                "type_libelle": vocab.vocabulary("types_relation").label(rel.type) if rel.type else "type non renseigné",
                "forme": rel.forme,
                "forme_libelle": vocab.vocabulary("formes").label(rel.forme) if rel.forme else "forme non renseignée",
                "formalisation": rel.formalisation,
                "formalisation_libelle": vocab.vocabulary("formalisations").label(rel.formalisation) if rel.formalisation else "non renseignée",
                "intensite": int(rel.intensite),
                "oriente": bool(rel.oriente),
                "geometry": LineString([a, b]) if a.distance(b) > 0 else None,
            }
        )
    frame = gpd.GeoDataFrame(rows, columns=["source", "cible", "source_nom", "cible_nom", "type", "type_libelle", "forme", "forme_libelle", "formalisation", "formalisation_libelle", "intensite", "oriente", "geometry"], geometry="geometry", crs=settings.crs(settings.CRS_WGS84))
    return frame[frame.geometry.notna()]


# --------------------------------------------------------------------------- boundaries map

LEVELS = ("communes", "cantons", "epci", "arrondissements", "departements", "regions")


@dataclass
class BoundariesMap:
    title: str
    source: str
    layers: dict[str, Any]  # level → GeoDataFrame (nom, code, geometry)
    notes: list[str]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return _union_bounds([f for f in self.layers.values() if len(f)])


def _union_bounds(frames) -> tuple[float, float, float, float]:
    boxes = np.array([f.total_bounds for f in frames])
    return (boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max())


def prepare_boundaries_map(territory, levels: list[str]) -> BoundariesMap:
    """Administrative boundaries of a territory (département, région…), one layer per level."""
    unknown = [level for level in levels if level not in LEVELS]
    if unknown:
        raise TerritoireError(f"niveau(x) inconnu(s) : {', '.join(unknown)} (choisissez parmi {', '.join(LEVELS)}).")
    deps = territory.departements
    codes = set(territory.communes)
    communes = referentiel.communes(departements=deps)
    communes = communes[communes.index.isin(codes)]
    tolerance = display_tolerance(len(communes))
    notes: list[str] = []
    layers: dict[str, Any] = {}
    for level in levels:
        if level == "communes":
            frame = communes[["nom", "population", "zone", "geometry"]].assign(code=communes.index)
        elif level == "cantons":
            frame = referentiel.cantons(departements=deps)
            frame = frame[frame.geometry.notna()].assign(code=lambda f: f.index, zone=lambda f: f["departement"].map(settings.zone_of_departement))
            missing = referentiel.cantons(departements=deps, geometry=False)
            fractions = missing[missing["composition"].isin([4, 5])]
            if len(fractions):
                notes.append(
                    f"{len(fractions)} canton(s) formés de fractions de communes (villes partagées entre cantons) "
                    "n'ont pas de contour dans la source : ils sont inclus dans leur commune."
                )
        elif level == "epci":
            touched = sorted(set(communes["epci"].dropna()))
            frame = referentiel.epci(departements=deps)
            frame = frame.loc[[c for c in touched if c in frame.index]]
            frame = frame.assign(code=frame.index, zone=frame["departement"].map(settings.zone_of_departement))
        elif level == "arrondissements":
            infra = referentiel.communes_infra(departements=deps)
            frame = infra[(infra["nature"] == "arrondissement municipal") & infra["commune"].isin(codes)]
            frame = frame.assign(code=frame.index, zone=frame["departement"].map(settings.zone_of_departement))
            notes.append(
                "Arrondissements : ceux de Paris, Lyon et Marseille (arrondissements municipaux). "
                "Les arrondissements départementaux ne figurent pas dans la source hors ligne."
            )
            if frame.empty:
                notes.append("Aucun arrondissement municipal sur ce territoire.")
        elif level == "departements":
            frame = referentiel.departements(departements=deps)
            frame = frame.assign(code=frame.index)
        else:
            regions = sorted(set(communes["region"]))
            frame = referentiel.regions(departements=deps).loc[regions]
            frame = frame.assign(code=frame.index, zone=[settings.zone_of_departement(d.split("|")[0]) for d in frame["departements"]])
        keep = [c for c in ("nom", "nom_court", "code", "population", "zone", "geometry") if c in frame.columns]
        layers[level] = display_frame(frame[keep], tolerance)
    title = f"Découpages administratifs — {territory.label}"
    return BoundariesMap(title, source_line(), layers, notes)


# --------------------------------------------------------------------------- placement area


@dataclass
class PlacementArea:
    title: str
    source: str
    site: tuple[float, float]  # lon, lat
    site_label: str
    radius_km: float
    circle: Any  # GeoSeries (EPSG:4326), one polygon
    communes: Any  # GeoDataFrame: nom, population, distance_km, part_dans_le_rayon, dans_le_rayon
    actors: Any  # GeoDataFrame: nom, type, distance_km, ...
    actors_from: str  # "dossier" or "référentiel"
    notes: list[str]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return tuple(self.circle.total_bounds)


def parse_site(text: str) -> tuple[tuple[float, float], str]:
    """``"45.18,0.72"`` (latitude, longitude) or a commune name/code → ((lon, lat), label)."""
    from territoire.dossier.tables import parse_decimal
    from territoire.referentiel.selection import resolve_token
    from territoire.settings import zone_of_point

    raw = text.strip()
    parts = [p.strip() for p in raw.replace(";", ",").split(",")] if raw.count(",") in (1, 3) else []
    if len(parts) == 4:  # decimal commas: "45,18, 0,72"
        parts = [f"{parts[0]}.{parts[1]}", f"{parts[2]}.{parts[3]}"]
    if len(parts) == 2:
        lat, lon = parse_decimal(parts[0]), parse_decimal(parts[1])
        if lat is not None and lon is not None:
            if zone_of_point(lon, lat) is None:
                if zone_of_point(lat, lon) is not None:
                    raise TerritoireError(f"« {text} » : latitude et longitude semblent inversées (écrivez « latitude,longitude »).")
                raise TerritoireError(f"« {text} » : ce point est hors de France (écrivez « latitude,longitude » en degrés décimaux).")
            return (lon, lat), f"point {lat:.4f}, {lon:.4f}".replace(".", ",")
    place = resolve_token(raw, "commune")
    row = referentiel.communes(geometry=False).loc[place.code]
    return (float(row["mairie_lon"]), float(row["mairie_lat"])), f"mairie de {row['nom']}"


def prepare_placement_area(site_text: str, radius_km: float, *, workspace=None) -> PlacementArea:
    """The area around a placement site: circle, communes within, actors within, distances."""
    import geopandas as gpd
    from shapely.geometry import Point

    from territoire.dossier.annuaire import load_directory
    from territoire.settings import zone_of_point

    if radius_km <= 0:
        raise TerritoireError("le rayon doit être un nombre de kilomètres positif.")
    (lon, lat), label = parse_site(site_text)
    zone = zone_of_point(lon, lat) or "metropole"
    crs = settings.crs_of_zone(zone)
    site = gpd.GeoSeries([Point(lon, lat)], crs=settings.crs(settings.CRS_WGS84)).to_crs(crs)
    circle_m = site.buffer(radius_km * 1000, quad_segs=32)
    circle = circle_m.to_crs(settings.crs(settings.CRS_WGS84))
    all_communes = referentiel.communes(geometry=False)
    deps = sorted(set(all_communes.loc[all_communes["zone"] == zone, "departement"]))
    candidates = referentiel.communes(departements=deps)
    candidates = candidates[candidates.geometry.notna()]
    metric = candidates.to_crs(crs)
    hits = metric[metric.intersects(circle_m.iloc[0])]
    inside_area = hits.geometry.intersection(circle_m.iloc[0]).area
    mairies = gpd.GeoSeries(gpd.points_from_xy(hits["mairie_lon"], hits["mairie_lat"]), index=hits.index, crs=settings.crs(settings.CRS_WGS84)).to_crs(crs)
    distance = mairies.distance(site.iloc[0]) / 1000
    table = candidates.loc[hits.index, ["nom", "population", "zone", "geometry"]].copy()
    table["distance_km"] = distance.round(2)
    table["part_dans_le_rayon"] = (inside_area / hits.area).round(3)
    table["dans_le_rayon"] = table["distance_km"] <= radius_km
    table = table.sort_values("distance_km")
    notes = []
    if workspace is not None:
        directory = load_directory(workspace)
        actors = directory.actors[directory.actors.geometry.notna() & ~directory.actors.geometry.is_empty]
        source = "dossier"
        actors = actors.assign(type_libelle=[vocab.vocabulary("types").label(t) if t else "" for t in actors["type"]])
    else:
        mairies_all = candidates.loc[hits.index]
        actors = gpd.GeoDataFrame(
            {
                "nom": [f"Mairie de {n}" for n in mairies_all["nom"]],
                "famille": "collectivite",
                "type": "MUNI",
                "type_libelle": "Mairie",
                "adresse": mairies_all["mairie_adresse"],
                "telephone": mairies_all["mairie_telephone"],
                "courriel": mairies_all["mairie_courriel"],
                "site": mairies_all["mairie_site"],
                "horaires": mairies_all["mairie_horaires"],
            },
            geometry=gpd.points_from_xy(mairies_all["mairie_lon"], mairies_all["mairie_lat"]),
            crs=settings.crs(settings.CRS_WGS84),
            index=pd.Index([f"mairie-{c}" for c in mairies_all.index], name="acteur"),
        )
        source = "référentiel"
        notes.append("Sans dossier : les acteurs montrés sont les mairies (référentiel).")
    points = actors.to_crs(crs)
    inside = points.geometry.distance(site.iloc[0]) <= radius_km * 1000
    chosen = actors[inside.to_numpy()].copy()
    chosen["distance_km"] = (points[inside.to_numpy()].geometry.distance(site.iloc[0]) / 1000).round(2).to_numpy()
    chosen = chosen.sort_values("distance_km")
    title = f"Zone de stage : {fmt_radius(radius_km)} autour de {label.replace('mairie de ', '')}"
    return PlacementArea(
        title, source_line("distances à vol d'oiseau"), (lon, lat), label, radius_km, circle,
        table, chosen, source, notes,
    )


def fmt_radius(radius_km: float) -> str:
    text = f"{radius_km:g}".replace(".", ",")
    return f"{text} km"
