"""Electoral cantons and the canton(s) of each commune, deduced from the contours
(the source has no commune → canton table)."""

from __future__ import annotations

from territoire import settings
from territoire._text import full_name
from territoire.referentiel.source import read_source, wkb_column

#: The Métropole de Lyon exercises département powers: its communes elect no canton.
METROPOLE_LYON = "200046977"



def build_cantons(raw, geometry, communes, dep_code, commune_code):
    """Electoral cantons (type C) and the canton codes of each commune.

    The source has no commune → canton table. Cantons made of whole communes have a
    polygon that is the union of their communes: a commune belongs to the canton
    containing a point inside it. Cantons made of fractions of communes have no
    polygon: they are attached to their "bureau centralisateur" commune and, for
    those mixing whole communes and fractions, to the split communes they touch.
    Communes of the Métropole de Lyon, of Paris, Martinique and Guyane elect no canton.
    """
    import geopandas as gpd
    import pandas as pd

    src = read_source("cantons")
    src = src[src["type"] == "C"].reset_index(drop=True)
    geom = wkb_column(src["geometry"])
    cantons = gpd.GeoDataFrame(
        {
            "nom": [full_name(n, t) for n, t in zip(src["nom"], src["type_nom"].astype(int), strict=True)],
            "departement": src["departement_id"].map(dep_code).to_numpy(),
            "bureau_centralisateur": src["bureau_centralisateur_id"].map(commune_code).to_numpy(),
            "composition": pd.to_numeric(src["composition"]).astype("Int64").to_numpy(),
        },
        geometry=geom,
        crs=settings.crs(settings.CRS_WGS84),
        index=pd.Index(src["code"].to_numpy(), name="code_canton"),
    )
    cantons["fractions_de_communes"] = cantons["composition"].isin([2, 3, 4, 5]).to_numpy()

    with_geom = cantons[cantons.geometry.notna()]
    located = communes[communes.geometry.notna()]
    inside = gpd.GeoDataFrame(
        geometry=located.geometry.representative_point(), crs=communes.crs, index=located.index
    )
    joined = gpd.sjoin(inside, with_geom[["geometry"]], predicate="within", how="inner")
    members: dict[str, list[str]] = {}
    for code, canton in zip(joined.index, joined["code_canton"], strict=True):
        members.setdefault(code, []).append(canton)

    no_canton = communes[
        ~communes.index.isin(members.keys()) & (communes["epci"] != METROPOLE_LYON)
    ]
    for canton, bureau in zip(cantons.index, cantons["bureau_centralisateur"], strict=True):
        if bureau in no_canton.index and cantons.at[canton, "fractions_de_communes"]:
            members.setdefault(bureau, []).append(canton)
    for code, canton in _fraction_links(no_canton, with_geom):
        if canton not in members.setdefault(code, []):
            members[code].append(canton)

    membership = pd.Series({code: "|".join(sorted(c)) for code, c in members.items()}, dtype=str)
    counts = pd.Series([c for cs in members.values() for c in cs]).value_counts()
    cantons["nb_communes"] = counts.reindex(cantons.index).fillna(0).astype(int)
    pop = communes["population"]
    whole: dict[str, list[str]] = {c: [] for c in cantons.index}
    for code, cs in members.items():
        if len(cs) == 1:
            whole[cs[0]].append(code)
    cantons["population_communes_entieres"] = [
        int(pop.reindex(whole[c]).sum()) for c in cantons.index
    ]
    return cantons, membership


def _fraction_links(split, cantons_with_geom):
    """(commune, canton) pairs for cantons mixing whole communes and fractions.

    The polygon of such a canton covers its whole communes only; the split commune
    it takes a fraction of is the one sharing the longest border with it (composition
    2: one fraction) or every split commune sharing at least 5 % of its perimeter
    with it (composition 3: several fractions).
    """
    import geopandas as gpd

    mixed = cantons_with_geom[cantons_with_geom["composition"].isin([2, 3])]
    split = split[split.geometry.notna()]
    pairs = gpd.sjoin(
        split[["departement", "zone", "geometry"]],
        mixed[["departement", "composition", "geometry"]],
        predicate="intersects",
        how="inner",
    )
    pairs = pairs[pairs["departement_left"] == pairs["departement_right"]]
    if pairs.empty:
        return []
    shared = []
    for zone, part in pairs.groupby("zone"):
        crs = settings.crs_of_zone(zone)
        communes_m = split.loc[part.index.unique()].geometry.to_crs(crs)
        cantons_m = mixed.loc[part["code_canton"].unique()].geometry.to_crs(crs)
        for code, canton, composition in zip(part.index, part["code_canton"], part["composition"], strict=True):
            border = communes_m[code].boundary.intersection(cantons_m[canton].boundary).length
            shared.append((code, canton, composition, border, communes_m[code].length))
    links = []
    best: dict[str, tuple[float, str]] = {}
    for code, canton, composition, border, perimeter in shared:
        if composition == 2:
            if border > best.get(canton, (0.0, ""))[0]:
                best[canton] = (border, code)
        elif perimeter and border / perimeter >= 0.05:
            links.append((code, canton))
    links.extend((code, canton) for canton, (_, code) in best.items())
    return links
