"""Share of each commune inside an actor's radius or zone file.

A single radius uses the exact area of circle ∩ polygon computed edge by edge
(:func:`circle_intersection_area`, vectorised with numpy); zone files, or several
shapes for one actor, use their union and shapely.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from territoire import settings


def _in_threads(function, a: np.ndarray, b: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    """Apply a vectorised shapely function in chunks on two threads (shapely releases
    the GIL): about twice as fast on the 2-core machines the tool targets."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    if len(a) <= chunk:
        return function(a, b)
    bounds = [*list(range(0, len(a), chunk)), len(a)]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        parts = list(pool.map(lambda k: function(a[bounds[k]:bounds[k + 1]], b[bounds[k]:bounds[k + 1]]), range(len(bounds) - 1)))
    return np.concatenate(parts)


def polygon_edges(polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges of (multi)polygons as an array (n, 4) of x0, y0, x1, y1, with exterior
    rings counter-clockwise and holes clockwise, and the offsets of each polygon's
    edges (CSR-like ``indptr``)."""
    import shapely

    oriented = shapely.orient_polygons(polygons, exterior_cw=False)
    parts, part_owner = shapely.get_parts(oriented, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    same = coord_ring[1:] == coord_ring[:-1]
    starts = np.flatnonzero(same)
    edges = np.column_stack([coords[starts], coords[starts + 1]])
    owner = part_owner[ring_part[coord_ring[starts]]]
    indptr = np.searchsorted(owner, np.arange(len(polygons) + 1))
    return edges, indptr


def circle_intersection_area(
    cx: np.ndarray, cy: np.ndarray, radius: np.ndarray, polygon: np.ndarray, edges: np.ndarray, indptr: np.ndarray
) -> np.ndarray:
    """Exact area of circle ∩ polygon for each pair (circle k, polygon ``polygon[k]``).

    Sum over the polygon's edges of the signed area of the circle ∩ triangle
    (centre, edge start, edge end): the triangle where the edge lies inside the
    circle, the circular sector where it lies outside.
    """
    counts = indptr[polygon + 1] - indptr[polygon]
    pair = np.repeat(np.arange(len(polygon)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    e = edges[np.repeat(indptr[polygon], counts) + offsets]
    ox, oy, r = cx[pair], cy[pair], radius[pair]
    ax, ay = e[:, 0] - ox, e[:, 1] - oy
    bx, by = e[:, 2] - ox, e[:, 3] - oy
    r2 = r * r
    a_in = ax * ax + ay * ay <= r2
    b_in = bx * bx + by * by <= r2
    # edges wholly inside: the triangle; the others start as the whole sector
    area = np.where(a_in & b_in, 0.5 * (ax * by - ay * bx), 0.0)
    cross = np.flatnonzero(~(a_in & b_in))
    ax, ay, bx, by, r2 = ax[cross], ay[cross], bx[cross], by[cross], r2[cross]
    dx, dy = bx - ax, by - ay
    qa = dx * dx + dy * dy
    qb = 2 * (ax * dx + ay * dy)
    qc = ax * ax + ay * ay - r2
    disc = qb * qb - 4 * qa * qc
    valid = (qa > 0) & (disc > 0)
    root = np.sqrt(np.where(valid, disc, 0.0))
    denominator = np.where(qa > 0, 2 * qa, 1.0)
    t1 = np.where(valid, np.clip((-qb - root) / denominator, 0.0, 1.0), 1.0)
    t2 = np.where(valid, np.clip((-qb + root) / denominator, 0.0, 1.0), 1.0)
    p1x, p1y = ax + t1 * dx, ay + t1 * dy
    p2x, p2y = ax + t2 * dx, ay + t2 * dy

    def sector(ux, uy, vx, vy):
        return 0.5 * r2 * np.arctan2(ux * vy - uy * vx, ux * vx + uy * vy)

    crossing = sector(ax, ay, p1x, p1y) + 0.5 * (p1x * p2y - p1y * p2x) + sector(p2x, p2y, bx, by)
    area[cross] = np.where(qa > 0, crossing, 0.0)
    return np.abs(np.bincount(pair, weights=area, minlength=len(polygon)))


def geometric_coverage(entries, actors, communes, zone, threshold, zone_reader):
    """Shares of the communes of one CRS zone inside each actor's radius or zone.

    ``entries`` are (actor position, coverage items) pairs. A single radius uses the
    exact circle/polygon area (:func:`circle_intersection_area`); zone files, or
    several shapes for one actor, use their union and shapely. The commune where an
    actor with a radius stands always counts as covered.

    Returns the actor positions, the commune positions (int32), the shares (float32),
    whether each pair counts as covered, and the failures as (actor position, reason).
    """
    target = _ZoneCommunes.build(communes, zone)
    failed: list[tuple[int, str]] = []
    positions = np.array([pos for pos, _ in entries], dtype=np.int64)
    points, has_point = _metric_points(actors, positions, target.crs)
    simple, radii, complex_ = _sort_entries(entries, has_point, failed)
    found = []
    if simple:
        found.append(_radius_shares(np.asarray(simple), np.asarray(radii), points, target))
    if complex_:
        found.extend(_complex_shares(complex_, points, positions, target, zone_reader, failed))
    actor_k = np.concatenate([f[0] for f in found]) if found else np.zeros(0, np.int64)
    commune_k = np.concatenate([f[1] for f in found]) if found else np.zeros(0, np.int64)
    share = np.concatenate([f[2] for f in found]) if found else np.zeros(0)
    with_radius = np.array([any(kind == "rayon" for kind, _ in items) for _, items in entries], dtype=bool) & has_point
    actor_k, commune_k, share, own = _own_communes(with_radius, points, target, actor_k, commune_k, share)
    keep = (share > 0) | own
    return (
        positions[actor_k[keep]].astype(np.int32),
        target.positions[commune_k[keep]].astype(np.int32),
        share[keep].astype(np.float32),
        ((share >= threshold) | own)[keep],
        failed,
    )


class _ZoneCommunes:
    """The communes of one CRS zone that have a geometry, in its metric projection.

    ``positions`` are their rows in the communes table, ``metric`` their polygons,
    ``areas`` their areas and ``tree`` an STRtree over ``metric``; the results of the
    tree's queries are indexes into these arrays.
    """

    def __init__(self, crs, positions: np.ndarray, metric: np.ndarray) -> None:
        import shapely

        self.crs = crs
        self.positions = positions
        self.metric = metric
        self.areas = shapely.area(metric)
        self.tree = shapely.STRtree(metric)

    @classmethod
    def build(cls, communes, zone: str) -> _ZoneCommunes:
        crs = settings.crs_of_zone(zone)
        in_zone = communes["zone"].to_numpy() == zone if "zone" in communes.columns else np.ones(len(communes), bool)
        positions = np.flatnonzero(in_zone & communes.geometry.notna().to_numpy())
        return cls(crs, positions, communes.geometry.iloc[positions].to_crs(crs).to_numpy())

    def shares(self, intersection: np.ndarray, commune: np.ndarray) -> np.ndarray:
        """Intersection areas as shares of the communes' areas (communes of zero area
        divide by 1)."""
        return intersection / np.where(self.areas[commune] > 0, self.areas[commune], 1.0)


def _metric_points(actors, positions: np.ndarray, crs) -> tuple[np.ndarray, np.ndarray]:
    """Points of the actors at ``positions`` in the metric CRS, and which exist."""
    import geopandas as gpd
    import shapely

    points = gpd.GeoSeries(actors.geometry.iloc[positions].to_numpy(), crs=settings.crs(settings.CRS_WGS84)).to_crs(crs).to_numpy()
    return points, ~(shapely.is_missing(points) | shapely.is_empty(points))


def _sort_entries(entries, has_point: np.ndarray, failed: list) -> tuple[list[int], list[float], list[tuple[int, Any]]]:
    """Split the entries into single radii (entry index, radius in metres) and complex
    coverages (entry index, items).

    Radii of actors without a point are dropped with a failure; an entry left with
    nothing is skipped.
    """
    simple, radii, complex_ = [], [], []
    for k, (position, items) in enumerate(entries):
        radius_items = [v for kind, v in items if kind == "rayon"]
        if radius_items and not has_point[k]:
            failed.append((position, "rayon sans localisation de l'acteur"))
            items = [(kind, v) for kind, v in items if kind != "rayon"]
            if not items:
                continue
        if len(items) == 1 and items[0][0] == "rayon":
            simple.append(k)
            radii.append(float(items[0][1]) * 1000.0)
        else:
            complex_.append((k, items))
    return simple, radii, complex_


def _radius_shares(simple: np.ndarray, radius: np.ndarray, points: np.ndarray, target: _ZoneCommunes):
    """(entry, commune, share) for single radii, with the exact circle ∩ polygon area.

    A commune whose bounding box lies in the circle is wholly covered; the others
    are computed edge by edge, 100 000 pairs at a time (bounded memory).
    """
    import shapely

    left, right = target.tree.query(points[simple], predicate="dwithin", distance=radius)
    px, py = shapely.get_x(points[simple]), shapely.get_y(points[simple])
    bounds = shapely.bounds(target.metric)
    far_x = np.maximum(np.abs(bounds[right, 0] - px[left]), np.abs(bounds[right, 2] - px[left]))
    far_y = np.maximum(np.abs(bounds[right, 1] - py[left]), np.abs(bounds[right, 3] - py[left]))
    share = np.ones(len(left))
    border = np.flatnonzero(np.hypot(far_x, far_y) > radius[left])
    edges, indptr = polygon_edges(target.metric)
    for start in range(0, len(border), 100_000):
        part = border[start:start + 100_000]
        area = circle_intersection_area(px[left[part]], py[left[part]], radius[left[part]], right[part], edges, indptr)
        share[part] = np.minimum(target.shares(area, right[part]), 1.0)
    return simple[left], right, share


def _complex_shares(complex_, points: np.ndarray, positions: np.ndarray, target: _ZoneCommunes, zone_reader, failed: list):
    """(entry, commune, share) for zone files and mixed coverages, with shapely: the
    union of each actor's shapes intersected with the communes (none if no shape)."""
    import shapely

    zone_cache: dict[str, Any] = {}
    geoms, owners = [], []
    for k, items in complex_:
        shapes = _actor_shapes(items, points[k], positions[k], target.crs, zone_reader, zone_cache, failed)
        if shapes:
            geoms.append(shapely.union_all(shapes))
            owners.append(k)
    if not geoms:
        return []
    areas = np.asarray(geoms, dtype=object)
    shapely.prepare(areas)
    left, right = target.tree.query(areas, predicate="intersects")
    inside = _in_threads(shapely.contains_properly, areas[left], target.metric[right])
    share = np.ones(len(left))
    border = ~inside
    inter = shapely.area(_in_threads(shapely.intersection, areas[left[border]], target.metric[right[border]]))
    share[border] = target.shares(inter, right[border])
    return [(np.asarray(owners)[left], right, share)]


def _actor_shapes(items, point, position, crs, zone_reader, zone_cache: dict[str, Any], failed: list) -> list:
    """Metric shapes of one actor's radii (a circle, or the point for a zero radius)
    and zone files (the union of each file, read once per call and cached in
    ``zone_cache``, errors included); unread zone files become failures."""
    import shapely

    shapes = []
    for kind, value in items:
        if kind == "rayon":
            shapes.append(point.buffer(float(value) * 1000.0, quad_segs=32) if value > 0 else point)
        elif kind == "zone":
            if zone_reader is None:
                failed.append((position, f"fichier de zone non lu : {value}"))
                continue
            if value not in zone_cache:
                try:
                    zone_cache[value] = shapely.union_all(zone_reader(value).to_crs(crs).geometry.to_numpy())
                except Exception as exc:
                    zone_cache[value] = exc
            if isinstance(zone_cache[value], Exception):
                failed.append((position, f"fichier de zone illisible ({value}) : {zone_cache[value]}"))
                continue
            shapes.append(zone_cache[value])
    return shapes


def _own_communes(with_radius: np.ndarray, points: np.ndarray, target: _ZoneCommunes, actor_k, commune_k, share):
    """The commune where an actor with a radius stands always counts as covered.

    Flags those (entry, commune) pairs as ``own`` and appends them, with a zero
    share, when no shape reached them. Returns the arrays and the flags.
    """
    own = np.zeros(len(actor_k), dtype=bool)
    if not with_radius.any():
        return actor_k, commune_k, share, own
    p_left, p_right = target.tree.query(points[with_radius], predicate="within")
    width = np.int64(len(target.metric) + 1)
    own_keys = np.unique(np.flatnonzero(with_radius)[p_left].astype(np.int64) * width + p_right)
    keys = actor_k.astype(np.int64) * width + commune_k
    own = np.isin(keys, own_keys)
    missing = np.setdiff1d(own_keys, keys)
    if len(missing):
        actor_k = np.concatenate([actor_k, missing // width])
        commune_k = np.concatenate([commune_k, missing % width])
        share = np.concatenate([share, np.zeros(len(missing))])
        own = np.concatenate([own, np.ones(len(missing), dtype=bool)])
    return actor_k, commune_k, share, own
