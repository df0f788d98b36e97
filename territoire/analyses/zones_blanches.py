"""Counts of actors per commune and the gaps (zones blanches): communes and
population that no actor of a domain, type or public covers."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from territoire.analyses.matrice import Coverage, dimension_values, membership


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
