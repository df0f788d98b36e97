"""Coverage area of every actor as one polygon (EPSG:4326), for maps and GIS export."""

from __future__ import annotations

from typing import Any

import numpy as np

from territoire import settings
from territoire.analyses.matrice import ADMIN_KINDS, actor_zone_array

#: Reference-data layer holding the dissolved shape of each kind of unit.
_LAYERS = {"epci": "epci", "departement": "departements", "region": "regions", "canton": "cantons"}

#: Kinds of unit whose shape is cut to the display box once looked up.
_CLIPPED_KINDS = ("commune", "epci", "departement", "region", "canton")

_COLUMNS = ["id", "nom", "type", "famille", "domaines", "couverture", "geometry"]


def coverage_polygons(workspace, *, clip=None, directory=None):
    """Coverage area of every actor as one polygon (EPSG:4326), for maps and GIS export.

    Codes give the union of their units (the dissolved layers of the reference data
    for EPCI, cantons, départements and régions); radii give a circle and zone files
    their polygons. ``clip`` (minx, miny, maxx, maxy in degrees) cuts every area to a
    box, for display. Actors with nothing to draw are left out; the others keep the
    order of the directory.
    """
    import geopandas as gpd

    from territoire.dossier.annuaire import load_directory

    directory = directory or load_directory(workspace)
    actors = directory.actors
    shapes = _UnitShapes(clip)
    zones = actor_zone_array(actors)
    rows = []
    for position, (ident, items, point) in enumerate(zip(actors.index, actors["couverture_items"], actors.geometry, strict=True)):
        area = _actor_area(items, point, zones[position], workspace, shapes)
        if area is not None:
            rows.append(_actor_row(actors, ident, items, area))
    return gpd.GeoDataFrame(rows, columns=_COLUMNS, geometry="geometry", crs=settings.crs(settings.CRS_WGS84))


class _UnitShapes:
    """Shapes of the administrative units named by coverages, cut to the display box.

    Every shape is computed once and cached, ``None`` included (unknown code): under
    ``(kind, code)`` for one unit, under ``("communes", codes)`` for the union of an
    actor's list of communes (sorted, without duplicates).
    """

    def __init__(self, clip) -> None:
        from shapely.geometry import box

        self.clip = clip
        self.frame = box(*clip) if clip is not None else None
        self.cache: dict[tuple[str, Any], Any] = {}

    def clipped_union(self, geometries):
        """Union of polygons, each cut to the display box first (much cheaper)."""
        import shapely

        geometries = np.asarray(geometries, dtype=object)
        if self.clip is not None:
            if len(geometries) > 1:
                geometries = geometries[shapely.intersects(geometries, self.frame)]
            geometries = shapely.clip_by_rect(geometries, *self.clip)
        return shapely.union_all(geometries) if len(geometries) else None

    def communes(self, codes) -> Any:
        """Union of the listed communes (unknown codes ignored), or None."""
        from territoire import referentiel

        listed = tuple(sorted(set(codes)))
        if ("communes", listed) not in self.cache:
            deps = sorted({_departement_of(c) for c in listed})
            found = referentiel.communes(departements=deps).geometry.reindex(list(listed)).dropna()
            self.cache[("communes", listed)] = self.clipped_union(found.to_numpy()) if len(found) else None
        return self.cache[("communes", listed)]

    def unit(self, kind: str, value: str):
        """Shape of one unit (``kind`` among :data:`ADMIN_KINDS`), or None when unknown."""
        import shapely

        key = (kind, value)
        if key in self.cache:
            return self.cache[key]
        shape = self._lookup(kind, value)
        if shape is not None and self.clip is not None and kind in _CLIPPED_KINDS:
            shape = shapely.clip_by_rect(shape, *self.clip)
        self.cache[key] = shape
        return shape

    def _lookup(self, kind: str, value: str):
        """Uncut shape of one unit; France is the union of the régions (already cut)."""
        from territoire import referentiel

        if kind == "commune":
            found = referentiel.communes(departements=[_departement_of(value)])
            return found.geometry.get(value)
        if kind == "france":
            return self.clipped_union(referentiel.regions().geometry.dropna().to_numpy())
        shape = referentiel.load(_LAYERS[kind]).geometry.get(value)
        if shape is None and kind == "canton":
            return self._canton_from_communes(value)
        return shape

    def _canton_from_communes(self, value: str):
        """A canton missing from the dissolved layer, as the union of its communes."""
        from territoire import referentiel
        from territoire.referentiel.selection import unit_communes

        codes = unit_communes()["canton"].get(value, ())
        deps = sorted({_departement_of(c) for c in codes})
        if not deps:
            return None
        found = referentiel.communes(departements=deps)
        return self.clipped_union(found.geometry.reindex(list(codes)).dropna().to_numpy())


def _actor_area(items, point, zone: str, workspace, shapes: _UnitShapes):
    """Union of the parts of one actor's coverage, or None when nothing can be drawn.

    Parts come in a fixed order: the listed communes first, then the other items as
    written. Unknown codes, radii of actors without a point and unreadable zone files
    are skipped.
    """
    import shapely

    parts = []
    communes_listed = [v for k, v in items if k == "commune"]
    if communes_listed:
        parts.append(shapes.communes(communes_listed))
    for kind, value in items:
        if kind == "commune":
            continue
        if kind in ADMIN_KINDS:
            shape = shapes.unit(kind, value)
            if shape is not None and not shape.is_empty:
                parts.append(shape)
        elif kind == "rayon" and point is not None and not point.is_empty:
            parts.append(_circle(point, value, zone, shapes.clip))
        elif kind == "zone":
            parts.append(_zone_file_shape(workspace, value, shapes))
    parts = [p for p in parts if p is not None and not p.is_empty]
    return shapely.union_all(parts) if parts else None


def _circle(point, radius_km, zone: str, clip):
    """Circle of ``radius_km`` (at least 50 m) around an actor's point, drawn in the
    metric CRS of its zone and returned in EPSG:4326, cut to ``clip`` if given."""
    import geopandas as gpd
    import shapely

    crs = settings.crs_of_zone(zone)
    wgs84 = settings.crs(settings.CRS_WGS84)
    circle = gpd.GeoSeries([point], crs=wgs84).to_crs(crs).buffer(max(float(radius_km), 0.05) * 1000, quad_segs=16).to_crs(wgs84)
    return circle.iloc[0] if clip is None else shapely.clip_by_rect(circle.iloc[0], *clip)


def _zone_file_shape(workspace, path: str, shapes: _UnitShapes):
    """Union of the polygons of a zone file (EPSG:4326, cut to the display box), or
    None when the file cannot be read."""
    import geopandas as gpd

    try:
        zone_frame = gpd.read_file(workspace.resolve_path(path)).to_crs(settings.crs(settings.CRS_WGS84))
        return shapes.clipped_union(zone_frame.geometry.dropna().to_numpy())
    except Exception:
        return None


def _actor_row(actors, ident, items, area) -> dict[str, Any]:
    """One row of the coverage layer: the actor's labels and its area."""
    from territoire.dossier.couvertures import describe_coverage

    return {
        "id": ident,
        "nom": actors.at[ident, "nom"],
        "type": actors.at[ident, "type"] or "",
        "famille": actors.at[ident, "famille"] or "",
        "domaines": "|".join(actors.at[ident, "domaines"]),
        "couverture": describe_coverage(items, default=bool(actors.at[ident, "couverture_defaut"])),
        "geometry": area,
    }


def _departement_of(commune: str) -> str:
    """Département code of a commune code (97x for overseas, 2A/2B for Corsica)."""
    return commune[:3] if commune.startswith("97") else commune[:2]
