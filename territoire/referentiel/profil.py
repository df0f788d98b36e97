"""Profile of a territory: communes, population, area, density, the units it touches.

Pure functions on DataFrames (:func:`build_profile`) plus a convenience loader
(:func:`territory_profile`) that reads the reference data for a resolved territory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: Indicative density classes computed per commune (inhabitants per km²). They are
#: not the INSEE "grille communale de densité", which is computed on a 1 km² grid.
DENSITY_CLASSES: tuple[tuple[float, float, str], ...] = (
    (0.0, 25.0, "très peu dense"),
    (25.0, 100.0, "peu dense"),
    (100.0, 500.0, "densité intermédiaire"),
    (500.0, math.inf, "dense"),
)
DENSITY_NOTE = (
    "Classes indicatives calculées à la commune (moins de 25, 25 à 100, 100 à 500, "
    "500 habitants/km² et plus) ; elles ne remplacent pas la grille communale de densité de l'Insee."
)


def density_class(density: float | None) -> str:
    """Label of the density class of a commune (``"n.d."`` when unknown)."""
    if density is None or pd.isna(density):
        return "n.d."
    for low, high, label in DENSITY_CLASSES:
        if low <= density < high:
            return label
    return "n.d."


@dataclass
class Profile:
    """Profile of a territory. ``communes`` is one row per commune; the rest sums it up."""

    label: str
    tokens: list[str]
    communes: pd.DataFrame
    population: int
    population_unknown: int
    surface_km2: float
    epci: pd.DataFrame
    cantons: pd.DataFrame
    departements: pd.DataFrame
    regions: pd.DataFrame
    density_classes: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def density(self) -> float:
        return self.population / self.surface_km2 if self.surface_km2 else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary (codes as strings, numbers as numbers)."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            out = frame.reset_index().astype(object).where(frame.reset_index().notna(), None)
            return out.to_dict(orient="records")

        return {
            "territoire": self.label,
            "specification": self.tokens,
            "nb_communes": len(self.communes),
            "population": self.population,
            "communes_population_inconnue": self.population_unknown,
            "surface_km2": round(self.surface_km2, 2),
            "densite_hab_km2": round(self.density, 1) if self.surface_km2 else None,
            "epci": records(self.epci),
            "cantons": records(self.cantons),
            "departements": records(self.departements),
            "regions": records(self.regions),
            "classes_de_densite": records(self.density_classes),
            "communes": records(self.communes),
            "notes": self.notes,
        }


def build_profile(
    label: str,
    tokens: list[str],
    communes: pd.DataFrame,
    *,
    all_communes: pd.DataFrame,
    epci: pd.DataFrame,
    cantons: pd.DataFrame,
    departements: pd.DataFrame,
    regions: pd.DataFrame,
) -> Profile:
    """Profile of the territory made of ``communes`` (rows of the communes layer).

    ``all_communes`` is the whole communes layer: it tells how many communes of each
    EPCI or canton lie outside the territory (units only partly included).
    """
    table = _communes_table(communes, epci)
    dep_rows = _departement_rows(table, departements)
    unknown = int(table["population"].isna().sum())
    return Profile(
        label=label,
        tokens=tokens,
        communes=table,
        population=int(table["population"].sum()),
        population_unknown=unknown,
        surface_km2=float(communes["surface_km2"].sum()),
        epci=_epci_rows(table, all_communes, epci),
        cantons=_canton_rows(table, all_communes, cantons),
        departements=dep_rows,
        regions=_region_rows(dep_rows, regions),
        density_classes=_density_classes(table),
        notes=_notes(table, communes, unknown),
    )


def _communes_table(communes: pd.DataFrame, epci: pd.DataFrame) -> pd.DataFrame:
    """One row per commune (population, area, density and its class, EPCI, cantons),
    sorted by name."""
    table = pd.DataFrame(
        {
            "nom": communes["nom"],
            "population": communes["population"].astype("Int64"),
            "surface_km2": communes["surface_km2"].round(2),
            "departement": communes["departement"],
            "epci": communes["epci"],
            "epci_nom": communes["epci"].map(epci["nom"]),
            "cantons": communes["cantons"],
        },
        index=communes.index,
    )
    density = table["population"].astype("float") / communes["surface_km2"]
    table.insert(3, "densite_hab_km2", density.round(1))
    table.insert(4, "classe_densite", density.map(density_class))
    return table.sort_values("nom", key=lambda s: s.str.normalize("NFKD"))


def _epci_rows(table: pd.DataFrame, all_communes: pd.DataFrame, epci: pd.DataFrame) -> pd.DataFrame:
    """EPCI touched by the territory, with how many of their communes it holds
    (``entier`` when all of them), the most represented first."""
    total_by_epci = all_communes["epci"].value_counts()
    in_epci = table["epci"].value_counts()
    epci_rows = pd.DataFrame(
        {
            "nom": epci["nom"].reindex(in_epci.index),
            "nature": epci["nature_libelle"].reindex(in_epci.index),
            "communes_dans_le_territoire": in_epci,
            "communes_total": total_by_epci.reindex(in_epci.index),
        }
    )
    epci_rows["entier"] = epci_rows["communes_dans_le_territoire"] == epci_rows["communes_total"]
    epci_rows.index.name = "siren"
    return epci_rows.sort_values("communes_dans_le_territoire", ascending=False)


def _canton_rows(table: pd.DataFrame, all_communes: pd.DataFrame, cantons: pd.DataFrame) -> pd.DataFrame:
    """Cantons touched by the territory (a commune may lie in several), with how many of
    their communes it holds (``entier`` when all of them), by code."""
    exploded = table["cantons"].str.split("|").explode()
    exploded = exploded[exploded.notna() & (exploded != "")]
    all_exploded = all_communes["cantons"].str.split("|").explode()
    total_by_canton = all_exploded[all_exploded != ""].value_counts()
    in_canton = exploded.value_counts()
    canton_rows = pd.DataFrame(
        {
            "nom": cantons["nom"].reindex(in_canton.index),
            "communes_dans_le_territoire": in_canton,
            "communes_total": total_by_canton.reindex(in_canton.index),
            "fractions_de_communes": cantons["fractions_de_communes"].reindex(in_canton.index),
        }
    )
    canton_rows["entier"] = canton_rows["communes_dans_le_territoire"] == canton_rows["communes_total"]
    canton_rows.index.name = "code_canton"
    return canton_rows.sort_index()


def _departement_rows(table: pd.DataFrame, departements: pd.DataFrame) -> pd.DataFrame:
    """Départements touched by the territory, with their région and commune counts, by code."""
    in_dep = table["departement"].value_counts()
    dep_rows = pd.DataFrame(
        {
            "nom": departements["nom"].reindex(in_dep.index),
            "region": departements["region"].reindex(in_dep.index),
            "communes_dans_le_territoire": in_dep,
            "communes_total": departements["nb_communes"].reindex(in_dep.index),
        }
    )
    dep_rows.index.name = "code_departement"
    return dep_rows.sort_index()


def _region_rows(dep_rows: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Régions of the départements touched, by code."""
    reg_codes = sorted(set(dep_rows["region"]))
    return pd.DataFrame({"nom": regions["nom"].reindex(reg_codes)}, index=pd.Index(reg_codes, name="code_region"))


def _density_classes(table: pd.DataFrame) -> pd.DataFrame:
    """Communes and population per density class (classes with no commune left out)."""
    classes = (
        table.groupby("classe_densite")
        .agg(communes=("nom", "size"), population=("population", "sum"))
        .reindex([label for _, _, label in DENSITY_CLASSES] + ["n.d."])
        .dropna(how="all")
    )
    classes = classes[classes["communes"].fillna(0) > 0].astype({"communes": int})
    classes.index.name = "classe_densite"
    return classes


def _notes(table: pd.DataFrame, communes: pd.DataFrame, unknown: int) -> list[str]:
    """Notes under the profile: the density classes, then communes left out of the
    totals (``unknown`` without population, those without a contour)."""
    notes = [DENSITY_NOTE]
    if unknown:
        notes.append(
            f"Population inconnue pour {unknown} commune(s) dans la source (Mayotte notamment) : "
            "les totaux ne les comptent pas."
        )
    no_shape = table.index[communes["surface_km2"].reindex(table.index).isna()].tolist()
    if no_shape:
        notes.append(
            "Contour absent de la source pour : " + ", ".join(no_shape) + " (surface non comptée)."
        )
    return notes


def territory_profile(territory) -> Profile:
    """Profile of a resolved :class:`~territoire.selection.Territory`."""
    from territoire import referentiel

    all_communes = referentiel.communes(geometry=False)
    return build_profile(
        territory.label,
        territory.tokens,
        all_communes.loc[list(territory.communes)],
        all_communes=all_communes,
        epci=referentiel.epci(geometry=False),
        cantons=referentiel.cantons(geometry=False),
        departements=referentiel.departements(geometry=False),
        regions=referentiel.regions(geometry=False),
    )
