"""Institutions the reference data knows for a territory, as rows of ``acteurs.csv``.

The mairie of every commune (address, point, contacts, opening hours), each EPCI
touching the territory, and for each département and région concerned the conseil
départemental, the préfecture and the conseil régional (located at the chef-lieu's
mairie, as the source gives no other address). Every row says ``source =
référentiel``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from territoire import referentiel
from territoire._text import name_with_charniere
from territoire.dossier.tables import DEFAULT_DIALECT, format_decimal

Row = dict[str, str]


def reference_actors(territory, *, date: str) -> list[Row]:
    """Actors known from the reference data for a resolved territory."""
    communes = referentiel.communes(geometry=False)
    local = communes.loc[list(territory.communes)].sort_index()
    base = {"source": "référentiel", "mise_a_jour": date, "statut": "public", "niveau_reseau": "secondaire-formel"}
    return [
        *_mairies(local, communes, base),
        *_epci(local, communes, base),
        *_departements(local, communes, base),
        *_regions(local, communes, base),
    ]


def _located_at(communes: pd.DataFrame, code: str) -> Row:
    """Commune and point (the mairie's) of an actor seated in commune ``code``."""
    row = communes.loc[code]

    def coordinate(value: Any) -> str:
        return "" if pd.isna(value) else format_decimal(value, DEFAULT_DIALECT)

    return {"commune": code, "latitude": coordinate(row["mairie_lat"]), "longitude": coordinate(row["mairie_lon"])}


def _mairies(local: pd.DataFrame, communes: pd.DataFrame, base: Row) -> list[Row]:
    rows = []
    for code, row in local.iterrows():
        replaced = row["mairie_point"] != "mairie"
        rows.append(
            {
                "notes": "Point de la mairie absent ou incohérent dans la source : point placé à l'intérieur de la commune." if replaced else "",
                "id": f"mairie-{code}",
                "nom": f"Mairie {name_with_charniere(row['nom_sans_article'], row['type_nom'])}",
                "famille": "collectivite",
                "type": "MUNI",
                "publics": "tous-publics",
                "role": "institutionnel",
                "adresse": row["mairie_adresse"],
                **_located_at(communes, str(code)),
                "couverture": str(code),
                "telephone": row["mairie_telephone"],
                "courriel": row["mairie_courriel"],
                "site": row["mairie_site"],
                "horaires": row["mairie_horaires"],
                **base,
            }
        )
    return rows


def _epci(local: pd.DataFrame, communes: pd.DataFrame, base: Row) -> list[Row]:
    epci = referentiel.epci(geometry=False)
    rows = []
    for siren in sorted(set(local["epci"].dropna())):
        members = communes[communes["epci"] == siren]
        seat = members["population"].astype("float").idxmax()
        rows.append(
            {
                "id": f"epci-{siren}",
                "nom": epci.at[siren, "nom"],
                "famille": "collectivite",
                "type": "EPCI",
                "publics": "tous-publics",
                "role": "institutionnel",
                **_located_at(communes, seat),
                "couverture": siren,
                **base,
                "notes": f"Localisé à la mairie de sa commune la plus peuplée ({communes.at[seat, 'nom']}) : la source ne donne pas l'adresse du siège.",
            }
        )
    return rows


def _departements(local: pd.DataFrame, communes: pd.DataFrame, base: Row) -> list[Row]:
    deps = referentiel.departements(geometry=False)
    rows = []
    for dep in sorted(set(local["departement"])):
        seat = deps.at[dep, "chef_lieu"]
        seated = {**_located_at(communes, seat), "couverture": dep, **base}
        seated["notes"] = f"Localisé à la mairie du chef-lieu ({communes.at[seat, 'nom']}) : la source ne donne pas l'adresse."
        of_dep = deps.at[dep, "nom_avec_charniere"]
        rows.append(
            {
                "id": f"cd-{dep}",
                "nom": f"Conseil départemental {of_dep}",
                "famille": "collectivite",
                "type": "CD",
                "domaines": "protection-enfance|autonomie|handicap",
                "publics": "tous-publics",
                "role": "financeur",
                **seated,
            }
        )
        rows.append(
            {
                "id": f"prefecture-{dep}",
                "nom": f"Préfecture {of_dep}",
                "famille": "etat",
                "type": "PREF",
                "publics": "tous-publics",
                "role": "institutionnel",
                **seated,
            }
        )
    return rows


def _regions(local: pd.DataFrame, communes: pd.DataFrame, base: Row) -> list[Row]:
    regs = referentiel.regions(geometry=False)
    rows = []
    for reg in sorted(set(local["region"])):
        seat = regs.at[reg, "chef_lieu"]
        rows.append(
            {
                "id": f"cr-{reg}",
                "nom": f"Conseil régional {regs.at[reg, 'nom_avec_charniere']}",
                "famille": "collectivite",
                "type": "REG",
                "domaines": "se-former",
                "publics": "tous-publics",
                "role": "financeur",
                **_located_at(communes, seat),
                "couverture": f"region:{reg}",
                **base,
                "notes": f"Localisé à la mairie du chef-lieu de région ({communes.at[seat, 'nom']}) : la source ne donne pas l'adresse.",
            }
        )
    return rows
