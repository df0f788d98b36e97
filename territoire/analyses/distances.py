"""Straight-line distance from each commune's town hall to the nearest actor, among
the actors competent for the commune and among all actors, in a metric projection
(Lambert-93, or the overseas département's own)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from territoire import settings
from territoire.analyses.matrice import Coverage, actor_zone_array, dimension_values, membership

#: Distance thresholds (km) for "population living further than".
DEFAULT_DISTANCES = (10.0, 20.0, 30.0)


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

    Communes and actors are matched within each metric CRS zone (metropole, each
    overseas département). Returns (per commune and value, summary per value);
    distances are in km.
    """
    ids = coverage.actor_ids
    id_array = np.asarray(ids, dtype=object)
    located = actors.loc[ids]
    per_actor = dimension_values(located, dimension).to_numpy()
    if values is None:
        values = sorted({v for vs in per_actor for v in vs})
    values = list(values)
    codes = coverage.commune_codes
    table = communes.reindex(codes)
    population = table["population"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    places = _Places.build(table, located, coverage.covered.tocsc())
    carries = membership(per_actor.tolist(), values)
    competent = _Nearest(len(values), len(codes))
    nearest = _Nearest(len(values), len(codes))
    for zone in sorted(set(places.commune_zone)):
        frame = places.zone_frame(zone)
        for j in range(len(values)):
            chosen = np.flatnonzero(carries[:, j] & frame.actor_mask)
            competent.store(j, frame.positions, *_nearest_competent(frame, chosen, id_array))
            nearest.store(j, frame.positions, *_nearest_located(frame, chosen, id_array))
    detail = _detail_table(codes, values, competent, nearest, population)
    return detail, _summary_table(values, competent, nearest, population, thresholds)


class _Nearest:
    """Distance (km, NaN if none) and identifier of the nearest actor, per value
    (rows) and commune (columns)."""

    def __init__(self, n_values: int, n_communes: int) -> None:
        self.distance = np.full((n_values, n_communes), np.nan)
        self.actor = np.full((n_values, n_communes), None, dtype=object)

    def store(self, value: int, positions: np.ndarray, distance: np.ndarray, actor: np.ndarray) -> None:
        """Fill the communes at ``positions`` for the value of index ``value``."""
        self.distance[value, positions] = distance
        self.actor[value, positions] = actor


@dataclass
class _ZoneFrame:
    """The communes and located actors of one CRS zone, in its metric projection.

    ``positions`` are the zone's communes (columns of the coverage), ``x``/``y``
    their mairies and ``finite`` those with a mairie point; ``actor_mask`` flags the
    zone's located actors, whose coordinates ``actor_x``/``actor_y`` are indexed by
    actor row (NaN elsewhere); ``covered`` is the coverage restricted to the zone's
    communes (CSR).
    """

    positions: np.ndarray
    x: np.ndarray
    y: np.ndarray
    finite: np.ndarray
    actor_mask: np.ndarray
    actor_x: np.ndarray
    actor_y: np.ndarray
    covered: Any


@dataclass
class _Places:
    """Mairies of the communes and points of the actors (degrees), with their CRS
    zones, and the coverage (CSC): what every zone's :class:`_ZoneFrame` is cut from."""

    table: pd.DataFrame
    located: Any
    commune_zone: np.ndarray
    mairie_known: np.ndarray
    actor_zone: np.ndarray
    has_point: np.ndarray
    covered: Any

    @classmethod
    def build(cls, table: pd.DataFrame, located, covered) -> _Places:
        """``table``: the communes in coverage order; ``located``: the actors in coverage order."""
        zones = table["zone"].to_numpy() if "zone" in table.columns else np.array(["metropole"] * len(table))
        mairie_known = table["mairie_lon"].notna().to_numpy() & table["mairie_lat"].notna().to_numpy()
        has_point = located["longitude"].notna().to_numpy() & located["latitude"].notna().to_numpy()
        return cls(table, located, zones, mairie_known, actor_zone_array(located), has_point, covered)

    def zone_frame(self, zone: str) -> _ZoneFrame:
        """The communes and located actors of ``zone``, projected to its metric CRS."""
        crs = settings.crs_of_zone(zone)
        c_pos = np.flatnonzero(self.commune_zone == zone)
        cx, cy = _metric_xy(self.table["mairie_lon"].to_numpy()[c_pos], self.table["mairie_lat"].to_numpy()[c_pos], crs)
        a_mask = self.has_point & (self.actor_zone == zone)
        a_pos = np.flatnonzero(a_mask)
        lon = self.located["longitude"].to_numpy(dtype=float)
        lat = self.located["latitude"].to_numpy(dtype=float)
        ax, ay = _metric_xy(lon[a_pos], lat[a_pos], crs) if len(a_pos) else (np.zeros(0), np.zeros(0))
        ax_full = np.full(len(self.located), np.nan)
        ay_full = np.full(len(self.located), np.nan)
        ax_full[a_pos], ay_full[a_pos] = ax, ay
        return _ZoneFrame(c_pos, cx, cy, self.mairie_known[c_pos], a_mask, ax_full, ay_full, self.covered[:, c_pos].tocsr())


def _nearest_located(frame: _ZoneFrame, chosen: np.ndarray, id_array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest of the ``chosen`` actors to each commune of the zone, competent or not
    (KD-tree); NaN/None for communes without a mairie point or when none is chosen."""
    from scipy.spatial import cKDTree

    nearest_d = np.full(len(frame.positions), np.nan)
    nearest_a = np.full(len(frame.positions), None, dtype=object)
    finite = frame.finite
    if len(chosen) and finite.any():
        tree = cKDTree(np.column_stack([frame.actor_x[chosen], frame.actor_y[chosen]]))
        d, k = tree.query(np.column_stack([frame.x[finite], frame.y[finite]]))
        nearest_d[finite] = d / 1000.0
        nearest_a[finite] = id_array[chosen[k]]
    return nearest_d, nearest_a


def _nearest_competent(frame: _ZoneFrame, chosen: np.ndarray, id_array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest of the ``chosen`` actors among those covering each commune of the zone.

    Works on the sparse coverage, commune by commune (CSC columns): the minimum
    distance per column, the first actor reaching it on ties. NaN/None for communes
    covered by none of them, or without a mairie point.
    """
    competent_d = np.full(len(frame.positions), np.nan)
    competent_a = np.full(len(frame.positions), None, dtype=object)
    sub = frame.covered[chosen].tocsc()  # entries grouped by commune
    if sub.nnz:
        counts = np.diff(sub.indptr)
        filled = np.flatnonzero(counts)
        columns = np.repeat(np.arange(len(counts)), counts)
        actor_rows = chosen[sub.indices]
        dist = np.hypot(frame.actor_x[actor_rows] - frame.x[columns], frame.actor_y[actor_rows] - frame.y[columns]) / 1000.0
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
    return competent_d, competent_a


def _detail_table(codes, values: list[str], competent: _Nearest, nearest: _Nearest, population: np.ndarray) -> pd.DataFrame:
    """One row per (value, commune), values outermost, distances rounded to the metre."""
    n_values, n_communes = len(values), len(codes)
    return pd.DataFrame(
        {
            "code_insee": np.tile(np.asarray(codes, dtype=object), n_values),
            "valeur": np.repeat(np.asarray(values, dtype=object), n_communes),
            "distance_competent_km": np.round(competent.distance.ravel(), 3),
            "acteur_competent": competent.actor.ravel(),
            "distance_plus_proche_km": np.round(nearest.distance.ravel(), 3),
            "acteur_plus_proche": nearest.actor.ravel(),
            "population": np.tile(population, n_values),
        }
    )


def _summary_table(
    values: list[str], competent: _Nearest, nearest: _Nearest, population: np.ndarray, thresholds: Sequence[float]
) -> pd.DataFrame:
    """Per value: population-weighted mean distance, communes without an actor and
    population beyond each threshold, for the competent and the nearest actor."""
    pop = np.nan_to_num(population)
    summary_rows = []
    for j, value in enumerate(values):
        row: dict[str, Any] = {"valeur": value}
        for label, matrix in (("competent", competent.distance), ("plus_proche", nearest.distance)):
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
    return pd.DataFrame(summary_rows)
