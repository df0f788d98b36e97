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

    A single radius uses the exact circle/polygon area (:func:`circle_intersection_area`);
    zone files, or several shapes for one actor, use their union and shapely.
    """
    import geopandas as gpd
    import shapely

    crs = settings.crs_of_zone(zone)
    in_zone = communes["zone"].to_numpy() == zone if "zone" in communes.columns else np.ones(len(communes), bool)
    zone_positions = np.flatnonzero(in_zone & communes.geometry.notna().to_numpy())
    metric = communes.geometry.iloc[zone_positions].to_crs(crs).to_numpy()
    areas = shapely.area(metric)
    tree = shapely.STRtree(metric)
    failed: list[tuple[int, str]] = []
    positions = np.array([pos for pos, _ in entries], dtype=np.int64)
    points = gpd.GeoSeries(actors.geometry.iloc[positions].to_numpy(), crs=settings.crs(settings.CRS_WGS84)).to_crs(crs).to_numpy()
    has_point = ~(shapely.is_missing(points) | shapely.is_empty(points))
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
    out_actor, out_commune, out_share = [], [], []

    if simple:
        simple = np.asarray(simple)
        radius = np.asarray(radii)
        left, right = tree.query(points[simple], predicate="dwithin", distance=radius)
        px, py = shapely.get_x(points[simple]), shapely.get_y(points[simple])
        bounds = shapely.bounds(metric)
        # a commune whose bounding box lies in the circle is wholly covered
        far_x = np.maximum(np.abs(bounds[right, 0] - px[left]), np.abs(bounds[right, 2] - px[left]))
        far_y = np.maximum(np.abs(bounds[right, 1] - py[left]), np.abs(bounds[right, 3] - py[left]))
        share = np.ones(len(left))
        border = np.flatnonzero(np.hypot(far_x, far_y) > radius[left])
        edges, indptr = polygon_edges(metric)
        for start in range(0, len(border), 100_000):  # bounded memory
            part = border[start:start + 100_000]
            area = circle_intersection_area(px[left[part]], py[left[part]], radius[left[part]], right[part], edges, indptr)
            share[part] = np.minimum(area / np.where(areas[right[part]] > 0, areas[right[part]], 1.0), 1.0)
        out_actor.append(simple[left])
        out_commune.append(right)
        out_share.append(share)

    if complex_:
        zone_cache: dict[str, Any] = {}
        geoms, owners = [], []
        for k, items in complex_:
            shapes = []
            for kind, value in items:
                if kind == "rayon":
                    shapes.append(points[k].buffer(float(value) * 1000.0, quad_segs=32) if value > 0 else points[k])
                elif kind == "zone":
                    if zone_reader is None:
                        failed.append((positions[k], f"fichier de zone non lu : {value}"))
                        continue
                    if value not in zone_cache:
                        try:
                            zone_cache[value] = shapely.union_all(zone_reader(value).to_crs(crs).geometry.to_numpy())
                        except Exception as exc:
                            zone_cache[value] = exc
                    if isinstance(zone_cache[value], Exception):
                        failed.append((positions[k], f"fichier de zone illisible ({value}) : {zone_cache[value]}"))
                        continue
                    shapes.append(zone_cache[value])
            if shapes:
                geoms.append(shapely.union_all(shapes))
                owners.append(k)
        if geoms:
            geoms = np.asarray(geoms, dtype=object)
            shapely.prepare(geoms)
            left, right = tree.query(geoms, predicate="intersects")
            inside = _in_threads(shapely.contains_properly, geoms[left], metric[right])
            share = np.ones(len(left))
            border = ~inside
            inter = shapely.area(_in_threads(shapely.intersection, geoms[left[border]], metric[right[border]]))
            share[border] = inter / np.where(areas[right[border]] > 0, areas[right[border]], 1.0)
            out_actor.append(np.asarray(owners)[left])
            out_commune.append(right)
            out_share.append(share)

    actor_k = np.concatenate(out_actor) if out_actor else np.zeros(0, np.int64)
    commune_k = np.concatenate(out_commune) if out_commune else np.zeros(0, np.int64)
    share = np.concatenate(out_share) if out_share else np.zeros(0)
    # the commune where an actor with a radius stands always counts as covered
    with_radius = np.array([any(kind == "rayon" for kind, _ in items) for _, items in entries], dtype=bool) & has_point
    own = np.zeros(len(actor_k), dtype=bool)
    if with_radius.any():
        p_left, p_right = tree.query(points[with_radius], predicate="within")
        width = np.int64(len(metric) + 1)
        own_keys = np.unique(np.flatnonzero(with_radius)[p_left].astype(np.int64) * width + p_right)
        keys = actor_k.astype(np.int64) * width + commune_k
        own = np.isin(keys, own_keys)
        missing = np.setdiff1d(own_keys, keys)
        if len(missing):
            actor_k = np.concatenate([actor_k, missing // width])
            commune_k = np.concatenate([commune_k, missing % width])
            share = np.concatenate([share, np.zeros(len(missing))])
            own = np.concatenate([own, np.ones(len(missing), dtype=bool)])
    keep = (share > 0) | own
    return (
        positions[actor_k[keep]].astype(np.int32),
        zone_positions[commune_k[keep]].astype(np.int32),
        share[keep].astype(np.float32),
        ((share >= threshold) | own)[keep],
        failed,
    )
