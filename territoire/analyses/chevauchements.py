"""Overlaps: pairs of actors of the same kind covering the same communes (with the
communes, population and Jaccard index they share), and the overlaps with no
relation declared between the two actors (no coordination)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from territoire.analyses.matrice import Coverage, dimension_values
from territoire.dossier.relations import relations_on

# --------------------------------------------------------------------------- overlaps


def _groups(actors, ids: Sequence[str], keys: Sequence[str]) -> dict[tuple, list[int]]:
    """Positions of actors (in ``ids`` order) grouped by the combination of ``keys``."""
    groups: dict[tuple, list[int]] = {}
    subset = actors.reindex(list(ids))
    values = [dimension_values(subset, key).tolist() for key in keys]
    for position, per_key in enumerate(zip(*values, strict=True)):
        combos: list[tuple] = [()]
        for options in per_key:
            combos = [(*c, v) for c in combos for v in options]
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
    for combo, group_positions in _groups(actors, coverage.actor_ids, by).items():
        positions = np.asarray(group_positions, dtype=np.int64)
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
    active = relations_on(relations, date)
    where = {a: i for i, a in enumerate(kept_ids)}
    linked = [
        min(where[s], where[c]) * width + max(where[s], where[c])
        for s, c in zip(active["source"].tolist(), active["cible"].tolist(), strict=True)
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
            "domaines": ["|".join(sorted(domain_names[s:e])) for s, e in zip(starts, ends, strict=True)],
            "communes_partagees": pairs.shared[pick],
            "population_partagee": pairs.population[pick],
            "jaccard": pairs.jaccard[pick],
            "codes": pairs.codes[pick],
        }
    )
    # same type first (duplicated offer), then the most similar territories, then population
    return out.sort_values(["meme_type", "jaccard", "population_partagee", "acteur_a", "acteur_b"], ascending=[False, False, False, True, True], ignore_index=True)
