"""Boundaries that contradict each other: sectors (lists of communes) that cut
EPCI or cantons, and sectors of different institutions that cut across each other."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from territoire._text import plural

# --------------------------------------------------------------------------- boundaries


def sectors(actors) -> dict[str, set[str]]:
    """Sectors: actors whose coverage is an explicit list of at least two communes."""
    out = {}
    for ident, items in zip(actors.index.tolist(), actors["couverture_items"].tolist(), strict=True):
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
) -> pd.DataFrame:
    """For every sector (an actor whose coverage is a list of communes), the EPCI and
    cantons it covers only in part, with a sentence a student can reuse.

    ``territory`` (commune codes) keeps only the sectors touching the territory — the
    units they split may lie beyond it. Unit memberships are read from ``all_communes``.
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
    names = dict(zip(actors.index.tolist(), actors["nom"].tolist(), strict=True))
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
        unit_names = dict(zip(table.index.tolist(), table["nom"].tolist(), strict=True))
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
        for n, k, t, u, lv in zip(out["nom"], out["communes_couvertes"], out["communes_total"], out["unite"], out["niveau"], strict=True)
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
        status = dict(zip(actors.index.tolist(), actors["statut"].tolist(), strict=True))
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
    names = dict(zip(actors.index.tolist(), actors["nom"].tolist(), strict=True))
    families = dict(zip(actors.index.tolist(), actors["famille"].tolist(), strict=True))
    rows = []
    for i, j, n in zip(shared.row, shared.col, shared.data, strict=True):
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
