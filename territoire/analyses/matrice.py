"""The coverage matrix: which actor covers which commune, as a sparse matrix.

Rules (also stated in the README and in the report's limits):

- a coverage given by codes (commune, EPCI, canton, département, région, France)
  covers exactly the communes of those units;
- a radius (``rayon:15``) or a zone file covers each commune in proportion of its
  area inside the circle or the zone (:mod:`.geometrie`); the share is kept, and the
  commune counts as covered when the share reaches the threshold
  (:data:`DEFAULT_THRESHOLD`, half of its area) — the commune where the actor stands
  always counts as covered by its radius, so ``rayon:0`` covers that commune only.

A sparse matrix keeps national-scale work (tens of thousands of actors, every
commune of France) fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from territoire import settings
from territoire.analyses.geometrie import geometric_coverage

#: Share of a commune's area a radius or a zone must cover for the commune to count.
DEFAULT_THRESHOLD = 0.5

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
        bounds = [*list(starts), len(order)]
        groups[kind] = {k: pos[order[bounds[i]:bounds[i + 1]]] for i, k in enumerate(keys)}
    cantons = inside["cantons"].str.split("|").explode()
    cantons = cantons[cantons != ""]
    canton_codes = cantons.to_numpy(dtype=object).astype(str)
    canton_pos = position.reindex(cantons.index).to_numpy()
    order = np.argsort(canton_codes, kind="stable")
    keys, starts = np.unique(canton_codes[order], return_index=True)
    bounds = [*list(starts), len(order)]
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
    from territoire.settings import zone_of_point

    deps = actors["departement"].tolist() if "departement" in actors.columns else [None] * len(actors)
    lons = actors["longitude"].to_numpy(dtype=float, na_value=np.nan)
    lats = actors["latitude"].to_numpy(dtype=float, na_value=np.nan)
    zones = []
    for dep, lon, lat in zip(deps, lons, lats, strict=True):
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
    for position, (ident, items) in enumerate(zip(actor_ids, actors["couverture_items"].tolist(), strict=True)):
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
            r, c, p, f, failed = geometric_coverage(entries, actors, communes, zone, threshold, zone_reader)
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
