"""Coverage area of every actor as one polygon (EPSG:4326), for maps and GIS export."""

from __future__ import annotations

from typing import Any

import numpy as np

from territoire import settings
from territoire.analyses.matrice import ADMIN_KINDS, actor_zone_array


def coverage_polygons(workspace, *, clip=None, directory=None):
    """Coverage area of every actor as one polygon (EPSG:4326), for maps and GIS export.

    Codes give the union of their units (the dissolved layers of the reference data
    for EPCI, cantons, départements and régions); radii give a circle and zone files
    their polygons. ``clip`` (minx, miny, maxx, maxy in degrees) cuts every area to a
    box, for display.
    """
    import geopandas as gpd
    import shapely
    from shapely.geometry import box

    from territoire import referentiel
    from territoire.dossier.annuaire import load_directory
    from territoire.dossier.couvertures import describe_coverage

    directory = directory or load_directory(workspace)
    actors = directory.actors
    cache: dict[tuple[str, str], Any] = {}

    def clipped_union(geometries):
        """Union of polygons, each cut to the display box first (much cheaper)."""
        geometries = np.asarray(geometries, dtype=object)
        if clip is not None:
            if len(geometries) > 1:
                geometries = geometries[shapely.intersects(geometries, frame)]
            geometries = shapely.clip_by_rect(geometries, *clip)
        return shapely.union_all(geometries) if len(geometries) else None

    frame = box(*clip) if clip is not None else None
    layers = {"epci": "epci", "departement": "departements", "region": "regions", "canton": "cantons"}

    def unit_shape(kind: str, value: str):
        key = (kind, value)
        if key in cache:
            return cache[key]
        shape = None
        if kind == "commune":
            found = referentiel.communes(departements=[_departement_of(value)])
            shape = found.geometry.get(value)
        elif kind == "france":
            shape = clipped_union(referentiel.regions().geometry.dropna().to_numpy())
        else:
            table = referentiel.load(layers[kind])
            shape = table.geometry.get(value)
            if shape is None and kind == "canton":
                from territoire.referentiel.selection import unit_communes

                codes = unit_communes()["canton"].get(value, ())
                deps = sorted({_departement_of(c) for c in codes})
                found = referentiel.communes(departements=deps) if deps else None
                shape = clipped_union(found.geometry.reindex(list(codes)).dropna().to_numpy()) if deps else None
        if shape is not None and clip is not None and kind in ("commune", "epci", "departement", "region", "canton"):
            shape = shapely.clip_by_rect(shape, *clip)
        cache[key] = shape
        return shape

    zones = actor_zone_array(actors)
    rows = []
    for position, (ident, items, point) in enumerate(zip(actors.index, actors["couverture_items"], actors.geometry, strict=True)):
        parts = []
        communes_listed = [v for k, v in items if k == "commune"]
        if communes_listed:
            listed = tuple(sorted(set(communes_listed)))
            if ("communes", listed) not in cache:
                deps = sorted({_departement_of(c) for c in listed})
                found = referentiel.communes(departements=deps).geometry.reindex(list(listed)).dropna()
                cache[("communes", listed)] = clipped_union(found.to_numpy()) if len(found) else None
            parts.append(cache[("communes", listed)])
        for kind, value in items:
            if kind == "commune":
                continue
            if kind in ADMIN_KINDS:
                shape = unit_shape(kind, value)
                if shape is not None and not shape.is_empty:
                    parts.append(shape)
            elif kind == "rayon" and point is not None and not point.is_empty:
                crs = settings.crs_of_zone(zones[position])
                circle = gpd.GeoSeries([point], crs=settings.crs(settings.CRS_WGS84)).to_crs(crs).buffer(max(float(value), 0.05) * 1000, quad_segs=16).to_crs(settings.crs(settings.CRS_WGS84))
                parts.append(circle.iloc[0] if clip is None else shapely.clip_by_rect(circle.iloc[0], *clip))
            elif kind == "zone":
                try:
                    zone_frame = gpd.read_file(workspace.resolve_path(value)).to_crs(settings.crs(settings.CRS_WGS84))
                    parts.append(clipped_union(zone_frame.geometry.dropna().to_numpy()))
                except Exception:
                    continue
        parts = [p for p in parts if p is not None and not p.is_empty]
        if not parts:
            continue
        rows.append(
            {
                "id": ident,
                "nom": actors.at[ident, "nom"],
                "type": actors.at[ident, "type"] or "",
                "famille": actors.at[ident, "famille"] or "",
                "domaines": "|".join(actors.at[ident, "domaines"]),
                "couverture": describe_coverage(items, default=bool(actors.at[ident, "couverture_defaut"])),
                "geometry": shapely.union_all(parts),
            }
        )
    return gpd.GeoDataFrame(rows, columns=["id", "nom", "type", "famille", "domaines", "couverture", "geometry"], geometry="geometry", crs=settings.crs(settings.CRS_WGS84))


def _departement_of(commune: str) -> str:
    """Département code of a commune code (97x for overseas, 2A/2B for Corsica)."""
    return commune[:3] if commune.startswith("97") else commune[:2]
