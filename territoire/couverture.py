"""Coverage analyses: who covers which commune, gaps, overlaps, contradictory
boundaries, distance to services, overlaps without coordination, density of offer.

Every analysis is a pure function of DataFrames (actors parsed by
:mod:`territoire.annuaire`, communes of the reference layer, relations). The
coverage itself is a sparse matrix actors × communes, which keeps national-scale
work (tens of thousands of actors, every commune of France) fast.

Rules (also stated in the README and in the report's limits):

- a coverage given by codes (commune, EPCI, canton, département, région, France)
  covers exactly the communes of those units;
- a radius (``rayon:15``) or a zone file covers each commune in proportion of its
  area inside the circle or the zone; the share is kept, and the commune counts as
  covered when the share reaches the threshold (:data:`DEFAULT_THRESHOLD`, half of
  its area) — the commune where the actor stands always counts as covered by its
  radius, so ``rayon:0`` covers that commune and nothing else;
- distances are straight lines between the town hall (mairie) of each commune and
  the actors' points, in Lambert-93 (EPSG:2154) or the overseas département's own
  projection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import settings
from ._text import plural

#: Share of a commune's area a radius or a zone must cover for the commune to count.
DEFAULT_THRESHOLD = 0.5
#: Distance thresholds (km) for "population living further than".
DEFAULT_DISTANCES = (10.0, 20.0, 30.0)

ADMIN_KINDS = ("commune", "epci", "canton", "departement", "region", "france")

ZoneReader = Callable[[str], Any]


# --------------------------------------------------------------------------- coverage matrix


@dataclass
class Coverage:
    """Coverage of a set of communes by a set of actors.

    ``part`` holds the share (0–1] of each commune covered by each actor (1 for
    coverages given by codes); ``covered`` says whether it counts as covered.
    Rows follow ``actor_ids``, columns ``commune_codes``.
    """

    actor_ids: list[str]
    commune_codes: list[str]
    part: Any
    covered: Any
    threshold: float
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["acteur", "nom", "raison"]))

    def communes_of(self, actor: str) -> list[str]:
        row = self.covered.getrow(self.actor_ids.index(actor))
        return [self.commune_codes[j] for j in row.indices]

    def pairs(self) -> pd.DataFrame:
        """One row per (actor, commune) with a share > 0."""
        part = self.part.tocoo()
        covered = self.covered.tocsr()
        flags = np.asarray(covered[part.row, part.col]).ravel().astype(bool)
        return pd.DataFrame(
            {
                "acteur": np.asarray(self.actor_ids, dtype=object)[part.row],
                "commune": np.asarray(self.commune_codes, dtype=object)[part.col],
                "part": np.round(part.data.astype(float), 4),
                "couvert": flags,
            }
        ).sort_values(["acteur", "commune"], ignore_index=True)


def unit_members(all_communes: pd.DataFrame, commune_codes: Sequence[str]) -> Callable[[str, str], np.ndarray]:
    """Function giving, for a unit (kind, code), the positions of its communes in
    ``commune_codes`` (the communes under study)."""
    position = pd.Series(np.arange(len(commune_codes), dtype=np.int32), index=pd.Index(commune_codes))
    inside = all_communes.loc[all_communes.index.intersection(position.index)]
    pos = position.reindex(inside.index).to_numpy()
    groups: dict[str, dict[str, np.ndarray]] = {}
    for kind in ("epci", "departement", "region"):
        codes = inside[kind].fillna("").astype(str).to_numpy()
        order = np.argsort(codes, kind="stable")
        keys, starts = np.unique(codes[order], return_index=True)
        bounds = list(starts) + [len(order)]
        groups[kind] = {k: pos[order[bounds[i]:bounds[i + 1]]] for i, k in enumerate(keys)}
    cantons = inside["cantons"].str.split("|").explode()
    cantons = cantons[cantons != ""]
    canton_codes = cantons.to_numpy(dtype=object).astype(str)
    canton_pos = position.reindex(cantons.index).to_numpy()
    order = np.argsort(canton_codes, kind="stable")
    keys, starts = np.unique(canton_codes[order], return_index=True)
    bounds = list(starts) + [len(order)]
    groups["canton"] = {k: canton_pos[order[bounds[i]:bounds[i + 1]]] for i, k in enumerate(keys)}
    everything = np.arange(len(commune_codes), dtype=np.int32)
    empty = np.zeros(0, dtype=np.int32)

    def members(kind: str, code: str) -> np.ndarray:
        if kind == "commune":
            at = position.get(code)
            return empty if at is None else np.array([at], dtype=np.int32)
        if kind == "france":
            return everything
        return groups.get(kind, {}).get(str(code), empty)

    return members


def actor_zone_array(actors) -> np.ndarray:
    """Metric-CRS zone of every actor (from its département, else from its point)."""
    from .annuaire import zone_of_point

    deps = actors["departement"].tolist() if "departement" in actors.columns else [None] * len(actors)
    lons = actors["longitude"].to_numpy(dtype=float, na_value=np.nan)
    lats = actors["latitude"].to_numpy(dtype=float, na_value=np.nan)
    zones = []
    for dep, lon, lat in zip(deps, lons, lats):
        if isinstance(dep, str) and dep:
            zones.append(settings.zone_of_departement(dep))
        elif np.isfinite(lon) and np.isfinite(lat):
            zones.append(zone_of_point(lon, lat) or "metropole")
        else:
            zones.append("metropole")
    return np.asarray(zones, dtype=object)


def build_coverage(
    actors,
    communes,
    *,
    all_communes: pd.DataFrame | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    zone_reader: ZoneReader | None = None,
) -> Coverage:
    """Coverage matrix of ``communes`` (GeoDataFrame, EPSG:4326, indexed by INSEE code)
    by ``actors`` (parsed actors, with ``couverture_items``).

    ``all_communes`` (attributes of every commune of France) resolves units that
    straddle the communes under study; by default ``communes`` itself.
    ``zone_reader(path)`` returns the GeoDataFrame of a zone file.
    """
    from scipy import sparse

    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    codes = communes.index.tolist()
    actor_ids = actors.index.tolist()
    members = unit_members(all_communes if all_communes is not None else communes, codes)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    parts: list[np.ndarray] = []
    flags: list[np.ndarray] = []
    excluded: list[tuple[str, str, str]] = []
    geometric: dict[str, list[tuple[int, list[tuple[str, Any]]]]] = {}
    actor_zones = actor_zone_array(actors)
    names = actors["nom"].tolist()
    by_unit: dict[tuple[str, str], list[int]] = {}
    for position, (ident, items) in enumerate(zip(actor_ids, actors["couverture_items"].tolist())):
        if not items:
            excluded.append((ident, names[position], "couverture vide ou non reconnue"))
            continue
        shapes = []
        for kind, value in items:
            if kind in ADMIN_KINDS:
                by_unit.setdefault((kind, value), []).append(position)
            else:
                shapes.append((kind, value))
        if shapes:
            geometric.setdefault(actor_zones[position], []).append((position, shapes))
    # one block per unit: every actor of the unit × every commune of the unit
    for (kind, value), holders in by_unit.items():
        found = members(kind, value)
        if len(found):
            holders_array = np.asarray(holders, dtype=np.int32)
            rows.append(np.repeat(holders_array, len(found)))
            cols.append(np.tile(found, len(holders_array)))
            parts.append(np.ones(len(found) * len(holders_array), dtype=np.float32))
            flags.append(np.ones(len(found) * len(holders_array), dtype=bool))
    if geometric:
        for zone, entries in geometric.items():
            r, c, p, f, failed = _geometric_coverage(entries, actors, communes, zone, threshold, zone_reader)
            rows.append(r)
            cols.append(c)
            parts.append(p)
            flags.append(f)
            excluded.extend((actor_ids[pos], names[pos], reason) for pos, reason in failed)
    shape = (len(actor_ids), len(codes))
    if rows:
        r = np.concatenate(rows)
        c = np.concatenate(cols)
        part = sparse.coo_matrix((np.concatenate(parts), (r, c)), shape=shape).tocsr()
        part.data = np.minimum(part.data, 1.0)  # codes (1) and a geometric share: the code wins
        covered = sparse.coo_matrix((np.concatenate(flags).astype(np.int8), (r, c)), shape=shape).tocsr()
        covered.data = (covered.data > 0).astype(np.int8)
        covered.eliminate_zeros()
    else:
        part = sparse.csr_matrix(shape, dtype=np.float32)
        covered = sparse.csr_matrix(shape, dtype=np.int8)
    return Coverage(
        actor_ids, codes, part, covered, threshold,
        pd.DataFrame(excluded, columns=["acteur", "nom", "raison"]),
    )


def _in_threads(function, a: np.ndarray, b: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    """Apply a vectorised shapely function in chunks on two threads (shapely releases
    the GIL): about twice as fast on the 2-core machines the tool targets."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    if len(a) <= chunk:
        return function(a, b)
    bounds = list(range(0, len(a), chunk)) + [len(a)]
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


def _geometric_coverage(entries, actors, communes, zone, threshold, zone_reader):
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
                        except Exception as exc:  # noqa: BLE001 - reported, the rest goes on
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


# --------------------------------------------------------------------------- counts and gaps


def dimension_values(actors, dimension: str) -> pd.Series:
    """Values of an actor attribute as tuples (domaines and publics are lists already)."""
    column = actors[dimension]
    if dimension in ("domaines", "publics"):
        return column.map(lambda v: tuple(v) if v else ())
    return column.map(lambda v: (v,) if isinstance(v, str) and v else ())


def membership(per_actor: Sequence[tuple], values: Sequence[str]) -> np.ndarray:
    """Boolean matrix actors × values: does each actor carry each value."""
    column = {v: j for j, v in enumerate(values)}
    out = np.zeros((len(per_actor), len(values)), dtype=bool)
    for i, vs in enumerate(per_actor):
        for v in vs:
            j = column.get(v)
            if j is not None:
                out[i, j] = True
    return out


def counts_by(coverage: Coverage, actors, dimension: str = "domaines", values: Iterable[str] | None = None) -> pd.DataFrame:
    """Number of actors covering each commune, for each value of ``dimension``.

    Returns a frame indexed by commune code, one column per value (``tous`` for all
    actors together).
    """
    covered = coverage.covered.tocsr().astype(np.int32)
    per_actor = dimension_values(actors.loc[coverage.actor_ids], dimension)
    if values is None:
        values = sorted({v for vs in per_actor for v in vs})
    values = list(values)
    result = {"tous": np.asarray(covered.sum(axis=0)).ravel()}
    if values:
        matrix = membership(per_actor.tolist(), values).astype(np.int32)
        per_value = (covered.T @ matrix)  # communes × values
        for j, value in enumerate(values):
            result[value] = np.asarray(per_value[:, j]).ravel()
    return pd.DataFrame(result, index=pd.Index(coverage.commune_codes, name="code_insee"))


def gaps(counts: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """Communes covered by nobody, per value: number, population, share of population.

    ``communes`` gives ``nom`` and ``population`` (unknown population counts as 0 and
    is reported in ``communes_population_inconnue``).
    """
    population = communes["population"].reindex(counts.index).astype("Float64")
    population_values = population.fillna(0).to_numpy(dtype=float)
    unknown = population.isna().to_numpy()
    names = communes["nom"].reindex(counts.index).astype(str).to_numpy(dtype=object)
    total = float(population_values.sum())
    rows = []
    for value in counts.columns:
        mask = (counts[value] == 0).to_numpy()
        empty = counts.index[mask]
        pop = float(population_values[mask].sum())
        covered_pop = total - pop
        rows.append(
            {
                "valeur": value,
                "communes_sans_acteur": len(empty),
                "communes_total": len(counts),
                "population_sans_acteur": int(pop),
                "population_couverte": int(covered_pop),
                "population_totale": int(total),
                "part_population_sans_acteur": round(pop / total, 4) if total else None,
                "communes_population_inconnue": int(unknown[mask].sum()),
                "codes": "|".join(empty.tolist()),
                "noms": "|".join(names[mask].tolist()),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- overlaps


def _groups(actors, ids: Sequence[str], keys: Sequence[str]) -> dict[tuple, list[int]]:
    """Positions of actors (in ``ids`` order) grouped by the combination of ``keys``."""
    groups: dict[tuple, list[int]] = {}
    subset = actors.reindex(list(ids))
    values = [dimension_values(subset, key).tolist() for key in keys]
    for position, per_key in enumerate(zip(*values)):
        combos: list[tuple] = [()]
        for options in per_key:
            combos = [c + (v,) for c in combos for v in options]
        for combo in combos:
            groups.setdefault(combo, []).append(position)
    return groups


@dataclass
class _Pairs:
    """Pairs of actors sharing communes within groups (positions in the coverage)."""

    combos: list[tuple]
    group: np.ndarray
    a: np.ndarray
    b: np.ndarray
    shared: np.ndarray
    population: np.ndarray
    jaccard: np.ndarray
    codes: np.ndarray

    def __len__(self) -> int:
        return len(self.a)


def _pair_arrays(coverage: Coverage, actors, communes: pd.DataFrame, by: Sequence[str]) -> _Pairs:
    """Every pair of actors of a same group (values of ``by``) sharing communes, with
    ``a < b`` (positions), the communes and population they share and the Jaccard index."""
    from scipy import sparse

    covered = coverage.covered.tocsr().astype(np.float64)
    covered.sort_indices()
    population = communes["population"].reindex(coverage.commune_codes).astype("Float64").fillna(0).to_numpy(dtype=float)
    sizes = np.asarray(covered.sum(axis=1)).ravel()
    codes = np.asarray(coverage.commune_codes, dtype=object)
    internal = (actors["role"].reindex(coverage.actor_ids) == "interne").to_numpy()
    combos, member_actor = [], []
    for combo, positions in _groups(actors, coverage.actor_ids, by).items():
        positions = np.asarray(positions, dtype=np.int64)
        positions = positions[~internal[positions]]
        if len(positions) >= 2:
            member_actor.append(positions)
            combos.append(combo)
    empty = np.zeros(0, dtype=np.int64)
    if not combos:
        return _Pairs([], empty, empty, empty, empty, empty, np.zeros(0), np.zeros(0, dtype=object))
    # Per group, one product gives both the shared communes (real part) and their
    # population (imaginary part): entries of the left matrix are 1 + i·population.
    weighted = covered.astype(np.complex128)
    weighted.data = weighted.data + 1j * population[weighted.indices]
    parts = []
    for g, members in enumerate(member_actor):
        product = sparse.triu(weighted[members] @ covered[members].T, k=1).tocoo()
        if product.nnz:
            parts.append((np.full(product.nnz, g), members[product.row], members[product.col], product.data))
    if not parts:
        return _Pairs(combos, empty, empty, empty, empty, empty, np.zeros(0), np.zeros(0, dtype=object))
    group = np.concatenate([p[0] for p in parts])
    x = np.concatenate([p[1] for p in parts])
    y = np.concatenate([p[2] for p in parts])
    values = np.concatenate([p[3] for p in parts])
    a, b = np.minimum(x, y), np.maximum(x, y)
    shared = np.round(values.real).astype(np.int64)
    union = sizes[a] + sizes[b] - shared
    jaccard = np.round(np.where(union > 0, shared / np.where(union > 0, union, 1), 0.0), 4)
    # a pair sharing several groups gets its codes computed once
    unique, back = np.unique(a * len(sizes) + b, return_inverse=True)
    first_of = np.zeros(len(unique), dtype=np.int64)
    first_of[back[::-1]] = np.arange(len(back))[::-1]
    texts = np.asarray(shared_codes(covered, a[first_of], b[first_of], codes, shared[first_of]), dtype=object)
    return _Pairs(combos, group, a, b, shared, np.round(values.imag).astype(np.int64), jaccard, texts[back])


def overlaps(coverage: Coverage, actors, communes: pd.DataFrame, *, by: Sequence[str] = ("type", "domaines")) -> pd.DataFrame:
    """Pairs of actors of the same ``by`` values (type and domain by default) covering
    common communes, with the communes and population they share and the Jaccard index.

    Each unordered pair appears once per shared (type, domain), ``acteur_a`` < ``acteur_b``.
    Internal services of a structure (role ``interne``) are left aside: they are part
    of the structure itself.
    """
    columns = [*by, "acteur_a", "acteur_b", "communes_partagees", "population_partagee", "jaccard", "codes"]
    pairs = _pair_arrays(coverage, actors, communes, by)
    if not len(pairs):
        return pd.DataFrame(columns=columns)
    ids = np.asarray(coverage.actor_ids, dtype=object)
    swap = ids[pairs.a] > ids[pairs.b]
    chosen = [pairs.combos[g] for g in pairs.group]
    out = pd.DataFrame(
        {
            **{key: [c[k] for c in chosen] for k, key in enumerate(by)},
            "acteur_a": np.where(swap, ids[pairs.b], ids[pairs.a]),
            "acteur_b": np.where(swap, ids[pairs.a], ids[pairs.b]),
            "communes_partagees": pairs.shared,
            "population_partagee": pairs.population,
            "jaccard": pairs.jaccard,
            "codes": pairs.codes,
        }
    )[columns]
    return out.sort_values(["population_partagee", "jaccard", "acteur_a", "acteur_b"], ascending=[False, False, True, True], ignore_index=True)


#: Shared communes listed per pair in the tables (the count is always exact).
MAX_LISTED_CODES = 200


def shared_codes(matrix, a: np.ndarray, b: np.ndarray, codes: np.ndarray, shared: np.ndarray, chunk: int = 200_000) -> list[str]:
    """For each pair of rows (a[k], b[k]) of a CSR matrix sharing ``shared[k]``
    columns, the ``|``-joined codes of those columns (pairs sharing more than
    :data:`MAX_LISTED_CODES` communes get a short note instead of the list).

    Vectorised: the entries of the shorter row of each pair are looked up in the
    longer one in one call per chunk.
    """
    indptr, indices = matrix.indptr, matrix.indices
    sizes = np.diff(indptr)
    width = np.int64(matrix.shape[1])
    # sorted (row, column) keys of the whole matrix: membership by binary search
    keys = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), sizes) * width + indices
    out = np.full(len(a), "", dtype=object)
    many = shared > MAX_LISTED_CODES
    out[many] = [f"({int(n)} communes, liste non détaillée)" for n in shared[many]]
    listed = np.flatnonzero(~many)
    a, b = a[listed], b[listed]
    texts: list[str] = []
    for start in range(0, len(a), chunk):
        pa, pb = a[start:start + chunk], b[start:start + chunk]
        small = np.where(sizes[pa] <= sizes[pb], pa, pb)
        large = np.where(sizes[pa] <= sizes[pb], pb, pa)
        lengths = sizes[small]
        total = int(lengths.sum())
        offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        cols = indices[np.repeat(indptr[small], lengths) + offsets]
        wanted = np.repeat(large.astype(np.int64), lengths) * width + cols
        where = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        hit = keys[where] == wanted
        pair = np.repeat(np.arange(len(small)), lengths)[hit]
        found = codes[cols[hit]]
        bounds = np.searchsorted(pair, np.arange(len(small) + 1))
        texts.extend("|".join(found[bounds[k]:bounds[k + 1]]) for k in range(len(small)))
    out[listed] = texts
    return out.tolist()


def _active(relations: pd.DataFrame, date: dt.date | None) -> pd.DataFrame:
    """Valid relations in force on ``date`` (all valid relations when None)."""
    rel = relations[relations["valide"]]
    if date is None:
        return rel
    start_ok = rel["debut"].map(lambda d: d is None or d <= date)
    end_ok = rel["fin"].map(lambda d: d is None or d >= date)
    return rel[start_ok & end_ok]


def uncoordinated_overlaps(
    coverage: Coverage,
    actors,
    communes: pd.DataFrame,
    relations: pd.DataFrame,
    *,
    date: dt.date | None = None,
    local_only: bool = True,
) -> pd.DataFrame:
    """Pairs of actors sharing communes in the same domain with no relation between them.

    With ``local_only``, actors whose coverage is a whole département, région or
    France are left aside (institutions present everywhere would flood the list).
    """
    columns = ["acteur_a", "acteur_b", "meme_type", "domaines", "communes_partagees", "population_partagee", "jaccard", "codes"]
    ids = coverage.actor_ids
    items = actors["couverture_items"].reindex(ids).tolist()
    keep = [
        i for i, its in enumerate(items)
        if not local_only or not any(k in ("departement", "region", "france") for k, _ in its)
    ]
    kept_ids = [ids[i] for i in keep]
    sub_cov = Coverage(kept_ids, coverage.commune_codes, coverage.part[keep], coverage.covered[keep], coverage.threshold)
    pairs = _pair_arrays(sub_cov, actors, communes, ("domaines",))
    if not len(pairs):
        return pd.DataFrame(columns=columns)
    width = np.int64(len(kept_ids))
    key = pairs.a * width + pairs.b
    # relations in force, as keys of the same form
    active = _active(relations, date)
    where = {a: i for i, a in enumerate(kept_ids)}
    linked = [
        min(where[s], where[c]) * width + max(where[s], where[c])
        for s, c in zip(active["source"].tolist(), active["cible"].tolist())
        if s in where and c in where
    ]
    unlinked = ~np.isin(key, np.asarray(linked, dtype=np.int64))
    order = np.lexsort((pairs.group, key))
    order = order[unlinked[order]]
    key_sorted = key[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = key_sorted[1:] != key_sorted[:-1]
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], len(order))
    domain_names = [pairs.combos[g][0] for g in pairs.group[order]]
    pick = order[starts]
    ids_array = np.asarray(kept_ids, dtype=object)
    types = actors["type"].reindex(kept_ids).to_numpy()
    a, b = pairs.a[pick], pairs.b[pick]
    swap = ids_array[a] > ids_array[b]
    out = pd.DataFrame(
        {
            "acteur_a": np.where(swap, ids_array[b], ids_array[a]),
            "acteur_b": np.where(swap, ids_array[a], ids_array[b]),
            "meme_type": types[a] == types[b],
            "domaines": ["|".join(sorted(domain_names[s:e])) for s, e in zip(starts, ends)],
            "communes_partagees": pairs.shared[pick],
            "population_partagee": pairs.population[pick],
            "jaccard": pairs.jaccard[pick],
            "codes": pairs.codes[pick],
        }
    )
    # same type first (duplicated offer), then the most similar territories, then population
    return out.sort_values(["meme_type", "jaccard", "population_partagee", "acteur_a", "acteur_b"], ascending=[False, False, False, True, True], ignore_index=True)


# --------------------------------------------------------------------------- boundaries


def sectors(actors) -> dict[str, set[str]]:
    """Sectors: actors whose coverage is an explicit list of at least two communes."""
    out = {}
    for ident, items in zip(actors.index.tolist(), actors["couverture_items"].tolist()):
        if len(items) >= 2 and all(k == "commune" for k, _ in items):
            out[ident] = {v for _, v in items}
    return out


def boundary_splits(
    actors,
    all_communes: pd.DataFrame,
    *,
    epci: pd.DataFrame,
    cantons: pd.DataFrame,
    territory: Iterable[str] | None = None,
    members: dict[str, dict[str, Sequence[str]]] | None = None,
) -> pd.DataFrame:
    """For every sector (an actor whose coverage is a list of communes), the EPCI and
    cantons it covers only in part, with a sentence a student can reuse.

    ``territory`` (commune codes) keeps only the sectors touching the territory — the
    units they split may lie beyond it. ``members`` is accepted for compatibility;
    unit memberships are read from ``all_communes``.
    """
    from scipy import sparse

    columns = ["acteur", "nom", "niveau", "code", "unite", "communes_couvertes", "communes_total", "phrase"]
    found = sectors(actors)
    if territory is not None:
        territory = set(territory)
        found = {a: c for a, c in found.items() if c & territory}
    if not found:
        return pd.DataFrame(columns=columns)
    position = {code: i for i, code in enumerate(all_communes.index.tolist())}
    ids = list(found)
    rows_idx = [k for k, a in enumerate(ids) for c in found[a] if c in position]
    cols_idx = [position[c] for a in ids for c in found[a] if c in position]
    sector_matrix = sparse.csr_matrix(
        (np.ones(len(rows_idx), dtype=np.int32), (rows_idx, cols_idx)), shape=(len(ids), len(position))
    )
    names = dict(zip(actors.index.tolist(), actors["nom"].tolist()))
    frames = []
    for level, kind, table in (("EPCI", "epci", epci), ("canton", "canton", cantons)):
        if kind == "epci":
            units = all_communes["epci"].fillna("").astype(str)
            pairs = pd.DataFrame({"commune": np.arange(len(units)), "unite": units.to_numpy()})
        else:
            exploded = all_communes["cantons"].fillna("").astype(str).str.split("|").explode()
            pairs = pd.DataFrame({"commune": exploded.index.map(position).to_numpy(), "unite": exploded.to_numpy()})
        pairs = pairs[pairs["unite"] != ""]
        unit_codes, unit_index = np.unique(pairs["unite"].to_numpy(dtype=object).astype(str), return_inverse=True)
        membership_matrix = sparse.csr_matrix(
            (np.ones(len(pairs), dtype=np.int32), (pairs["commune"].to_numpy(), unit_index)),
            shape=(len(position), len(unit_codes)),
        )
        sizes = np.asarray(membership_matrix.sum(axis=0)).ravel()
        inside = (sector_matrix @ membership_matrix).tocoo()
        split = inside.data < sizes[inside.col]
        sector_at, unit_at, count = inside.row[split], inside.col[split], inside.data[split]
        unit_names = dict(zip(table.index.tolist(), table["nom"].tolist()))
        labels = [unit_names.get(u, u) for u in unit_codes[unit_at]]
        frame = pd.DataFrame(
            {
                "acteur": np.asarray(ids, dtype=object)[sector_at],
                "niveau": level,
                "code": unit_codes[unit_at],
                "unite": labels,
                "communes_couvertes": count.astype(int),
                "communes_total": sizes[unit_at].astype(int),
            }
        )
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.insert(1, "nom", out["acteur"].map(names))
    out["phrase"] = [
        f"le secteur « {n} » couvre {k} des {t} communes de : {u if lv == 'EPCI' else 'canton ' + u}"
        for n, k, t, u, lv in zip(out["nom"], out["communes_couvertes"], out["communes_total"], out["unite"], out["niveau"])
    ]
    order = {a: i for i, a in enumerate(ids)}
    out = out.assign(_o=out["acteur"].map(order)).sort_values(["_o", "niveau", "code"], kind="stable").drop(columns="_o")
    return out.reset_index(drop=True)[columns]


def crossing_sectors(actors, *, territory: Iterable[str] | None = None, public_only: bool = True) -> pd.DataFrame:
    """Pairs of sectors of different institutions (different types) that cut across
    each other: they share communes but neither contains the other.

    With ``public_only``, only the sectors of public bodies (statut public) are
    compared: the administrative boundaries a student has to deal with.
    """
    from scipy import sparse

    sets = sectors(actors)
    if public_only:
        status = dict(zip(actors.index.tolist(), actors["statut"].tolist()))
        sets = {a: s for a, s in sets.items() if status.get(a) == "public"}
    if territory is not None:
        territory = set(territory)
        sets = {a: s & territory for a, s in sets.items() if s & territory}
    columns = ["acteur_a", "acteur_b", "famille_a", "famille_b", "communes_communes", "seulement_a", "seulement_b", "phrase"]
    ids = sorted(sets)
    if len(ids) < 2:
        return pd.DataFrame(columns=columns)
    codes = sorted(set().union(*sets.values()))
    position = {c: i for i, c in enumerate(codes)}
    rows_idx = [i for i, a in enumerate(ids) for _ in sets[a]]
    cols_idx = [position[c] for a in ids for c in sets[a]]
    matrix = sparse.csr_matrix((np.ones(len(rows_idx)), (rows_idx, cols_idx)), shape=(len(ids), len(codes)))
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    shared = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    types = actors["type"].reindex(ids).to_numpy()
    names = dict(zip(actors.index.tolist(), actors["nom"].tolist()))
    families = dict(zip(actors.index.tolist(), actors["famille"].tolist()))
    rows = []
    for i, j, n in zip(shared.row, shared.col, shared.data):
        if types[i] == types[j] or n >= sizes[i] or n >= sizes[j]:
            continue  # same institution, or one sector inside the other
        a, b = ids[i], ids[j]
        na, nb = names[a], names[b]
        only_a, only_b = int(sizes[i] - n), int(sizes[j] - n)
        rows.append(
            {
                "acteur_a": a,
                "acteur_b": b,
                "famille_a": families[a],
                "famille_b": families[b],
                "communes_communes": int(n),
                "seulement_a": only_a,
                "seulement_b": only_b,
                "phrase": (
                    f"les secteurs « {na} » et « {nb} » se recoupent sur {plural(int(n), 'commune')} "
                    f"sans que l'un contienne l'autre ({plural(only_a, 'commune')} seulement dans le premier, "
                    f"{only_b} seulement dans le second)"
                ),
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values("communes_communes", ascending=False, ignore_index=True)


# --------------------------------------------------------------------------- distances


def _metric_xy(lon, lat, crs: str) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    transformer = Transformer.from_crs(settings.CRS_WGS84, crs, always_xy=True)
    x, y = transformer.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def distances(
    coverage: Coverage,
    actors,
    communes: pd.DataFrame,
    *,
    dimension: str = "domaines",
    values: Iterable[str] | None = None,
    thresholds: Sequence[float] = DEFAULT_DISTANCES,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Straight-line distance from each commune's mairie to the nearest actor of each
    value of ``dimension``: (a) among the actors competent for the commune, (b) among
    all located actors.

    Returns (per commune and value, summary per value). Distances are in km.
    """
    from scipy.spatial import cKDTree

    ids = coverage.actor_ids
    id_array = np.asarray(ids, dtype=object)
    located = actors.loc[ids]
    per_actor = dimension_values(located, dimension).to_numpy()
    if values is None:
        values = sorted({v for vs in per_actor for v in vs})
    values = list(values)
    codes = coverage.commune_codes
    table = communes.reindex(codes)
    zones = table["zone"].to_numpy() if "zone" in table.columns else np.array(["metropole"] * len(codes))
    actor_zone = actor_zone_array(located)
    has_point = located["longitude"].notna().to_numpy() & located["latitude"].notna().to_numpy()
    population = table["population"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    covered = coverage.covered.tocsc()
    carries = membership(per_actor.tolist(), values)
    finite_all = table["mairie_lon"].notna().to_numpy() & table["mairie_lat"].notna().to_numpy()
    n_values, n_communes = len(values), len(codes)
    all_competent_d = np.full((n_values, n_communes), np.nan)
    all_competent_a = np.full((n_values, n_communes), None, dtype=object)
    all_nearest_d = np.full((n_values, n_communes), np.nan)
    all_nearest_a = np.full((n_values, n_communes), None, dtype=object)
    for zone in sorted(set(zones)):
        crs = settings.crs_of_zone(zone)
        c_mask = zones == zone
        c_pos = np.flatnonzero(c_mask)
        cx, cy = _metric_xy(table["mairie_lon"].to_numpy()[c_pos], table["mairie_lat"].to_numpy()[c_pos], crs)
        a_mask = has_point & (actor_zone == zone)
        a_pos = np.flatnonzero(a_mask)
        ax, ay = _metric_xy(located["longitude"].to_numpy(dtype=float)[a_pos], located["latitude"].to_numpy(dtype=float)[a_pos], crs) if len(a_pos) else (np.zeros(0), np.zeros(0))
        ax_full = np.full(len(ids), np.nan)
        ay_full = np.full(len(ids), np.nan)
        ax_full[a_pos], ay_full[a_pos] = ax, ay
        zone_cov = covered[:, c_pos].tocsr()
        for j, value in enumerate(values):
            of_value = carries[:, j]
            chosen = np.flatnonzero(of_value & a_mask)
            nearest_d = np.full(len(c_pos), np.nan)
            nearest_a = np.full(len(c_pos), None, dtype=object)
            finite = finite_all[c_pos]
            if len(chosen) and finite.any():
                tree = cKDTree(np.column_stack([ax_full[chosen], ay_full[chosen]]))
                d, k = tree.query(np.column_stack([cx[finite], cy[finite]]))
                nearest_d[finite] = d / 1000.0
                nearest_a[finite] = id_array[chosen[k]]
            competent_d = np.full(len(c_pos), np.nan)
            competent_a = np.full(len(c_pos), None, dtype=object)
            rows_of_value = np.flatnonzero(of_value & a_mask)
            sub = zone_cov[rows_of_value].tocsc()  # entries grouped by commune
            if sub.nnz:
                counts = np.diff(sub.indptr)
                filled = np.flatnonzero(counts)
                columns = np.repeat(np.arange(len(counts)), counts)
                actor_rows = rows_of_value[sub.indices]
                dist = np.hypot(ax_full[actor_rows] - cx[columns], ay_full[actor_rows] - cy[columns]) / 1000.0
                dist[~np.isfinite(dist)] = np.inf  # commune without a mairie point
                starts = sub.indptr[filled]
                best_d = np.minimum.reduceat(dist, starts)
                is_best = dist == np.repeat(best_d, counts[filled])
                first_best = np.flatnonzero(is_best)
                keep = np.ones(len(first_best), dtype=bool)
                keep[1:] = columns[first_best[1:]] != columns[first_best[:-1]]
                first_best = first_best[keep]
                found = np.isfinite(best_d)
                competent_d[filled[found]] = best_d[found]
                competent_a[filled[found]] = id_array[actor_rows[first_best]][found]
            all_competent_d[j, c_pos] = competent_d
            all_competent_a[j, c_pos] = competent_a
            all_nearest_d[j, c_pos] = nearest_d
            all_nearest_a[j, c_pos] = nearest_a
    detail = pd.DataFrame(
        {
            "code_insee": np.tile(np.asarray(codes, dtype=object), n_values),
            "valeur": np.repeat(np.asarray(values, dtype=object), n_communes),
            "distance_competent_km": np.round(all_competent_d.ravel(), 3),
            "acteur_competent": all_competent_a.ravel(),
            "distance_plus_proche_km": np.round(all_nearest_d.ravel(), 3),
            "acteur_plus_proche": all_nearest_a.ravel(),
            "population": np.tile(population, n_values),
        }
    )
    pop = np.nan_to_num(population)
    summary_rows = []
    for j, value in enumerate(values):
        row: dict[str, Any] = {"valeur": value}
        for label, matrix in (("competent", all_competent_d), ("plus_proche", all_nearest_d)):
            dist = np.round(matrix[j], 3)
            known = np.isfinite(dist)
            weight = pop[known].sum()
            row[f"moyenne_ponderee_{label}_km"] = round(float((dist[known] * pop[known]).sum() / weight), 2) if weight else None
            row[f"communes_sans_{label}"] = int((~known).sum())
            for limit in thresholds:
                # no actor at all counts as beyond every threshold
                beyond = ~known | (np.where(known, dist, 0.0) > limit)
                row[f"population_au_dela_{limit:g}km_{label}"] = int(pop[beyond].sum())
        summary_rows.append(row)
    return detail, pd.DataFrame(summary_rows)


# --------------------------------------------------------------------------- density


def offer_density(actors, communes: pd.DataFrame, *, epci: pd.DataFrame | None = None, dimensions=("famille", "domaines")) -> pd.DataFrame:
    """Actors located in each commune (and EPCI) per 10 000 inhabitants, by family and domain."""
    columns = ["niveau", "code", "nom", "dimension", "valeur", "acteurs", "population", "pour_10000_habitants"]
    located = actors[actors["commune"].isin(communes.index)]
    population = communes["population"].astype("Float64")
    frames = []
    for dimension in dimensions:
        per_actor = dimension_values(located, dimension)
        exploded = pd.DataFrame({"commune": located["commune"].to_numpy(), "valeur": per_actor.to_numpy()}).explode("valeur").dropna()
        if exploded.empty:
            continue
        for level in ("commune", "epci"):
            if level == "epci":
                units = exploded["commune"].map(communes["epci"])
                pop = population.groupby(communes["epci"]).sum(min_count=1)
                names = epci["nom"] if epci is not None else pd.Series(dtype=object)
            else:
                units = exploded["commune"]
                pop = population
                names = communes["nom"]
            counts = exploded.assign(code=units).dropna(subset=["code"]).groupby(["code", "valeur"]).size().rename("acteurs").reset_index()
            counts["population"] = counts["code"].map(pop).astype("Float64")
            counts["pour_10000_habitants"] = (10000 * counts["acteurs"] / counts["population"]).round(2)
            counts["nom"] = counts["code"].map(names).fillna(counts["code"])
            counts["niveau"] = level
            counts["dimension"] = dimension
            frames.append(counts)
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)[columns]
    out["population"] = out["population"].astype("Int64")
    return out


# --------------------------------------------------------------------------- workspace level


@dataclass
class Options:
    """Filters and parameters of ``territoire analyser``."""

    domaines: list[str] | None = None
    types: list[str] | None = None
    familles: list[str] | None = None
    publics: list[str] | None = None
    threshold: float = DEFAULT_THRESHOLD
    distances: tuple[float, ...] = DEFAULT_DISTANCES
    date: dt.date | None = None
    exclude: tuple[str, ...] = ()


@dataclass
class Analysis:
    """Everything ``territoire analyser`` computes, ready to be written or shown."""

    territory_label: str
    communes: Any
    actors: Any
    coverage: Coverage
    counts: pd.DataFrame
    gaps: pd.DataFrame
    type_counts: pd.DataFrame
    type_gaps: pd.DataFrame
    overlaps: pd.DataFrame
    splits: pd.DataFrame
    crossings: pd.DataFrame
    distances: pd.DataFrame
    distance_summary: pd.DataFrame
    uncoordinated: pd.DataFrame
    density: pd.DataFrame
    domains_without_actor: list[str]
    left_out: pd.DataFrame
    options: Options

    def tables(self) -> dict[str, pd.DataFrame]:
        """Named tables written as CSV (one per analysis)."""
        names = self.communes["nom"]
        pairs = self.coverage.pairs()
        pairs.insert(1, "nom_acteur", pairs["acteur"].map(self.actors["nom"]))
        pairs.insert(3, "nom_commune", pairs["commune"].map(names))
        wide = self.counts.copy()
        wide.insert(0, "commune", names.reindex(wide.index))
        wide.insert(1, "population", self.communes["population"].reindex(wide.index))
        return {
            "matrice_couverture": pairs,
            "couverture_domaines": wide.reset_index(),
            "zones_blanches_domaines": self.gaps,
            "zones_blanches_types": self.type_gaps,
            "chevauchements": self.overlaps,
            "decoupages_coupes": self.splits,
            "secteurs_croises": self.crossings,
            "distances": self.distances,
            "distances_synthese": self.distance_summary,
            "chevauchements_sans_coordination": self.uncoordinated,
            "densite_offre": self.density,
            "acteurs_laisses_de_cote": self.left_out,
        }


def _filter(actors, options: Options):
    from . import vocab

    mask = pd.Series(True, index=actors.index)
    if options.types:
        codes = {vocab.vocabulary("types").normalize(t) for t in options.types}
        mask &= actors["type"].isin(codes)
    if options.familles:
        codes = {vocab.vocabulary("familles").normalize(t) for t in options.familles}
        mask &= actors["famille"].isin(codes)
    if options.publics:
        codes = {vocab.vocabulary("publics").normalize(t) for t in options.publics}
        mask &= actors["publics"].map(lambda p: bool(codes & set(p)) or "tous-publics" in p)
    if options.exclude:
        mask &= ~actors.index.isin(options.exclude)
    return actors[mask]


def analyse(directory, options: Options | None = None, *, territory=None) -> Analysis:
    """Run every coverage analysis on a parsed directory (see :mod:`territoire.annuaire`)."""
    from . import referentiel

    options = options or Options()
    workspace = directory.workspace
    territory = territory or workspace.territory()
    communes = referentiel.communes(departements=territory.departements).loc[list(territory.communes)]

    def zone_reader(path: str):
        import geopandas as gpd

        return gpd.read_file(workspace.resolve_path(path))

    result = analyse_frames(
        _filter(directory.actors, options), communes, directory.relations, options,
        zone_reader=zone_reader, date=options.date or workspace.date, label=territory.label,
    )
    result.left_out = _left_out(result.coverage, result.actors, directory.problems)
    return result


def analyse_frames(
    actors,
    communes,
    relations: pd.DataFrame,
    options: Options | None = None,
    *,
    zone_reader: ZoneReader | None = None,
    date: dt.date | None = None,
    label: str = "",
    all_communes: pd.DataFrame | None = None,
) -> Analysis:
    """Every coverage analysis from frames: parsed actors, the communes under study
    (GeoDataFrame of the reference layer) and parsed relations."""
    from . import referentiel, vocab
    from .selection import unit_communes

    options = options or Options()
    all_communes = all_communes if all_communes is not None else referentiel.communes(geometry=False)
    coverage = build_coverage(actors, communes, all_communes=all_communes, threshold=options.threshold, zone_reader=zone_reader)
    order = vocab.vocabulary("domaines").codes
    if options.domaines:
        domains = [vocab.vocabulary("domaines").normalize(d) for d in options.domaines]
    else:
        domains = sorted({d for ds in actors["domaines"] for d in ds}, key=order.index)
    counts = counts_by(coverage, actors, "domaines", domains)
    gap_table = gaps(counts, communes)
    type_values = sorted({t for t in actors["type"] if isinstance(t, str)})
    type_counts = counts_by(coverage, actors, "type", type_values)
    type_gaps = gaps(type_counts.drop(columns="tous"), communes)
    overlap_table = overlaps(coverage, actors, communes)
    if len(overlap_table):
        overlap_table = overlap_table[overlap_table["domaines"].isin(domains)].reset_index(drop=True)
    epci_table = referentiel.epci(geometry=False)
    territory = list(communes.index)
    splits = boundary_splits(
        actors, all_communes, epci=epci_table, cantons=referentiel.cantons(geometry=False),
        territory=territory, members=unit_communes(),
    )
    crossings = crossing_sectors(actors, territory=territory)
    detail, summary = distances(coverage, actors, communes, values=domains, thresholds=options.distances)
    uncoordinated = uncoordinated_overlaps(coverage, actors, communes, relations, date=date)
    if len(uncoordinated) and options.domaines:
        wanted = set(domains)
        keep = [not wanted.isdisjoint(d.split("|")) for d in uncoordinated["domaines"].tolist()]
        uncoordinated = uncoordinated[keep].reset_index(drop=True)
    density = offer_density(actors, communes, epci=epci_table)
    no_domain = [d for d in domains if d in counts.columns and counts[d].sum() == 0]
    left_out = coverage.excluded.assign(portee="entièrement")[["acteur", "nom", "portee", "raison"]]
    return Analysis(
        label, communes, actors, coverage, counts, gap_table, type_counts, type_gaps,
        overlap_table, splits, crossings, detail, summary, uncoordinated, density,
        no_domain, left_out, options,
    )


def _left_out(coverage: Coverage, actors, problems) -> pd.DataFrame:
    """Actors left out of the coverage, wholly or in part, with the reason."""
    reasons: dict[str, list[str]] = {}
    for problem in problems:
        if problem.fichier == "acteurs.csv" and problem.colonne == "couverture" and problem.acteur in actors.index:
            reasons.setdefault(problem.acteur, []).append(problem.message)
    rows = []
    for row in coverage.excluded.itertuples():
        specific = reasons.pop(row.acteur, None)
        rows.append((row.acteur, row.nom, "entièrement", "; ".join(specific) if specific else row.raison))
    for actor, messages in reasons.items():
        rows.append((actor, actors.at[actor, "nom"], "en partie", "; ".join(messages)))
    return pd.DataFrame(rows, columns=["acteur", "nom", "portee", "raison"])


def write_tables(analysis: Analysis, folder: Path, *, json_too: bool = False) -> list[Path]:
    """Write one CSV per analysis (``;``-separated, UTF-8 with BOM) and optionally JSON."""
    from ._io import atomic_write_text

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in analysis.tables().items():
        path = folder / f"{name}.csv"
        atomic_write_text(path, "\ufeff" + table.to_csv(sep=";", index=False, lineterminator="\n"))
        written.append(path)
        if json_too:
            jpath = folder / f"{name}.json"
            atomic_write_text(jpath, table.to_json(orient="records", force_ascii=False, indent=1, date_format="iso"))
            written.append(jpath)
    return written


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

    from . import referentiel
    from .annuaire import describe_coverage, load_directory

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
                from .selection import unit_communes

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
    for position, (ident, items, point) in enumerate(zip(actors.index, actors["couverture_items"], actors.geometry)):
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
                except Exception:  # noqa: BLE001 - reported by validation
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
