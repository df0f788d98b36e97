"""Straight-line distance from each commune's town hall to the nearest actor, among
the actors competent for the commune and among all actors, in a metric projection
(Lambert-93, or the overseas département's own)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
        for j in range(len(values)):
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
