"""Density of the offer: actors located in each commune and EPCI per 10 000
inhabitants, by family and domain."""

from __future__ import annotations

import pandas as pd

from territoire.analyses.matrice import dimension_values

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
