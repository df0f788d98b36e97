"""Benchmark of the coverage analyses (issue « Coverage analyses »).

1. The demo workspace: every analysis, once the reference data is cached.
2. National scale: all the communes of France and synthetic actors with mixed
   coverages (commune lists, EPCI, département, région, radius, zone file), every
   analysis, for 5 000, 50 000 and 100 000 actors (one fresh process each: time and
   peak memory).
3. The same coverage count done the obvious way — each actor's coverage polygon
   overlaid on the communes with geopandas (sjoin + intersection areas) — in the same
   run, and the ratio.

    python benchmarks/bench_couverture.py [--tailles 5000,50000,100000] [--naif 5000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _mesure import line, run_python

HERE = str(Path(__file__).parent)

MIX = (
    "45 % listes de 1 à 7 communes voisines, 20 % EPCI, 15 % département, 3 % région, "
    "15 % rayon de 0 à 20 km, 2 % fichier de zone (12 zones de 5 à 15 km) ; 1 à 3 domaines "
    "par acteur ; deux relations par acteur"
)


def synthetic_actors(n: int, zone_dir: Path, seed: int = 7):
    """Parsed-like actors spread over France with mixed coverages."""
    import random

    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from shapely.geometry import Point

    from territoire import referentiel
    from territoire.dossier import vocab

    rng = random.Random(seed)
    communes = referentiel.communes(geometry=False)
    located = communes[communes["mairie_lon"].notna()]
    codes = located.index.to_numpy()
    types = vocab.vocabulary("types").codes
    domains = vocab.vocabulary("domaines").codes
    zones = sorted(p.name for p in zone_dir.glob("*.geojson"))
    picks = rng.choices(range(len(codes)), k=n)
    rows = []
    for i, pick in enumerate(picks):
        code = codes[pick]
        row = located.loc[code]
        kind = rng.random()
        # mix (documented in MIX): local lists, EPCI, département, région, radius, zone
        if kind < 0.45:
            items = [("commune", code)] + [("commune", str(c)) for c in rng.sample(list(codes[max(0, pick - 20): pick + 20]), rng.randint(0, 6))]
        elif kind < 0.65:
            items = [("epci", row["epci"])] if isinstance(row["epci"], str) else [("commune", code)]
        elif kind < 0.80:
            items = [("departement", row["departement"])]
        elif kind < 0.83:
            items = [("region", row["region"])]
        elif kind < 0.98:
            items = [("rayon", float(rng.randint(0, 20)))]
        else:
            items = [("zone", rng.choice(zones))]
        rows.append({
            "id": f"a{i}", "nom": f"Acteur {i}", "type": rng.choice(types), "famille": "association",
            "statut": rng.choice(["public", "prive"]), "role": "operationnel",
            "domaines": tuple(rng.sample(domains, rng.randint(1, 3))), "publics": (),
            "couverture_items": items, "commune": code, "departement": row["departement"],
            "longitude": float(row["mairie_lon"]) + rng.uniform(-0.01, 0.01),
            "latitude": float(row["mairie_lat"]) + rng.uniform(-0.01, 0.01),
        })
    frame = pd.DataFrame(rows)
    actors = gpd.GeoDataFrame(frame, geometry=[Point(x, y) for x, y in zip(frame["longitude"], frame["latitude"], strict=True)], crs=4326)
    actors.index = pd.Index(actors["id"], name="acteur")
    m = len(actors)
    rel = pd.DataFrame({
        "source": actors.index[np.array([rng.randrange(m) for _ in range(2 * n)])],
        "cible": actors.index[np.array([rng.randrange(m) for _ in range(2 * n)])],
        "valide": True, "debut": None, "fin": None,
    })
    return actors, rel


def make_zones(folder: Path, count: int = 12, seed: int = 3) -> None:
    import random

    import geopandas as gpd

    from territoire import referentiel

    rng = random.Random(seed)
    communes = referentiel.communes(geometry=False)
    metro = communes[communes["zone"] == "metropole"].dropna(subset=["mairie_lon"])
    for i in range(count):
        row = metro.iloc[rng.randrange(len(metro))]
        point = gpd.GeoSeries(gpd.points_from_xy([row["mairie_lon"]], [row["mairie_lat"]]), crs=4326).to_crs(2154)
        zone = point.buffer(rng.uniform(5_000, 15_000)).to_crs(4326)
        gpd.GeoDataFrame(geometry=zone).to_file(folder / f"zone{i}.geojson", driver="GeoJSON")


NATIONAL = """
import json, sys, time
sys.path.insert(0, {here!r})
from pathlib import Path
import geopandas as gpd
from bench_couverture import synthetic_actors
from territoire import referentiel
from territoire.analyses import couverture, matrice
zone_dir = Path({zones!r})
communes = referentiel.communes()
referentiel.communes(geometry=False)
actors, relations = synthetic_actors({n}, zone_dir)
reader = lambda name: gpd.read_file(zone_dir / name)
t = time.perf_counter()
cov = matrice.build_coverage(actors, communes, zone_reader=reader)
t_cov = time.perf_counter() - t
t = time.perf_counter()
result = couverture.analyse_frames(actors, communes, relations, zone_reader=reader)
t_all = time.perf_counter() - t
counts = result.counts["tous"]
print(json.dumps({{"coverage_s": t_cov, "all_s": t_all, "pairs": int(cov.covered.nnz),
                  "overlaps": len(result.overlaps), "uncovered": int((counts == 0).sum()),
                  "checksum": int(counts.sum())}}))
"""

NAIVE = """
import json, sys, time
sys.path.insert(0, {here!r})
from pathlib import Path
import geopandas as gpd, numpy as np, pandas as pd, shapely
from bench_couverture import synthetic_actors
from territoire import referentiel
from territoire.analyses import couverture, matrice
zone_dir = Path({zones!r})
communes = referentiel.communes()
actors, relations = synthetic_actors({n}, zone_dir)
t = time.perf_counter()
# the obvious way: one coverage polygon per actor, overlaid on the communes
metric = communes.to_crs(2154)
layers = {{"commune": metric.geometry, "epci": referentiel.epci().to_crs(2154).geometry,
           "departement": referentiel.departements().to_crs(2154).geometry,
           "region": referentiel.regions().to_crs(2154).geometry}}
points = actors.to_crs(2154).geometry
polys = []
for ident, items, point in zip(actors.index, actors["couverture_items"], points):
    parts = []
    for kind, value in items:
        if kind in layers:
            parts.append(layers[kind].get(value))
        elif kind == "rayon":
            parts.append(point.buffer(max(value, 0.001) * 1000, quad_segs=16))
        elif kind == "zone":
            parts.append(gpd.read_file(zone_dir / value).to_crs(2154).union_all())
    parts = [p for p in parts if p is not None]
    polys.append(shapely.union_all(parts) if parts else None)
cover = gpd.GeoDataFrame({{"acteur": actors.index}}, geometry=polys, crs=2154).dropna()
joined = gpd.sjoin(cover, metric[["geometry"]].reset_index(), predicate="intersects")
share = shapely.area(shapely.intersection(joined.geometry.to_numpy(), metric.geometry.reindex(joined["code_insee"]).to_numpy())) / metric.area.reindex(joined["code_insee"]).to_numpy()
hit = joined.assign(share=share)[["acteur", "code_insee", "share"]]
# same rule as the library: the commune where an actor with a radius stands counts
radius_actors = [i for i, items in zip(actors.index, actors["couverture_items"]) if any(k == "rayon" for k, _ in items)]
own = gpd.sjoin(gpd.GeoDataFrame({{"acteur": radius_actors}}, geometry=points.loc[radius_actors].to_numpy(), crs=2154),
                metric[["geometry"]].reset_index(), predicate="within")[["acteur", "code_insee"]].assign(share=1.0)
hit = pd.concat([hit, own]).groupby(["acteur", "code_insee"], as_index=False)["share"].max()
counts = hit[hit["share"] >= 0.5].groupby("code_insee").size().reindex(metric.index, fill_value=0)
t_naive = time.perf_counter() - t
t = time.perf_counter()
cov = matrice.build_coverage(actors, communes, zone_reader=lambda name: gpd.read_file(zone_dir / name))
ours = pd.Series(np.asarray(cov.covered.sum(axis=0)).ravel(), index=cov.commune_codes)
t_ours = time.perf_counter() - t
differ = int((ours.reindex(counts.index) != counts).sum())
print(json.dumps({{"naive_s": t_naive, "ours_s": t_ours, "communes_differing": differ}}))
"""

DEMO = """
import json, time, tempfile, statistics
from pathlib import Path
from territoire import referentiel
from territoire.dossier.annuaire import load_directory
from territoire.sources.preremplissage import create_demo
from territoire.analyses.couverture import analyse
referentiel.communes(geometry=False)
ws = create_demo(Path(tempfile.mkdtemp()) / "demo")
t = time.perf_counter(); directory = load_directory(ws); t_load = time.perf_counter() - t
t = time.perf_counter(); analyse(directory); first = time.perf_counter() - t
warm = []
for _ in range(3):
    t = time.perf_counter(); analyse(directory); warm.append(time.perf_counter() - t)
print(json.dumps({"load_s": t_load, "first_s": first, "warm_s": statistics.median(warm)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tailles", default="5000,50000,100000")
    parser.add_argument("--naif", default="5000", help="tailles comparées à la méthode naïve (lente : 3 min pour 5 000)")
    args = parser.parse_args()
    demo = run_python(DEMO)
    line("Démo : lecture et validation de l'annuaire", f"{demo['load_s']:.2f} s")
    line("Démo : toutes les analyses, premier appel", f"{demo['first_s']:.2f} s", "< 0,5 s")
    line("Démo : toutes les analyses, appels suivants (médiane)", f"{demo['warm_s']:.2f} s", "< 0,5 s")
    tmp = Path(tempfile.mkdtemp(prefix="territoire-bench-"))
    try:
        sys.path.insert(0, HERE)
        make_zones(tmp)
        print(f"Acteurs synthétiques : {MIX}")
        previous = None
        for n in [int(v) for v in args.tailles.split(",")]:
            result = run_python(NATIONAL.format(here=HERE, zones=str(tmp), n=n))
            growth = f" (×{result['all_s'] / previous:.1f})" if previous else ""
            line(f"France, {n} acteurs : matrice de couverture", f"{result['coverage_s']:.2f} s")
            line(f"France, {n} acteurs : toutes les analyses{growth}", f"{result['all_s']:.2f} s", "< 15 s à 50 000")
            line(f"France, {n} acteurs : mémoire maximale", f"{result['peak_mb']:.0f} Mo", "< 3 Go à 50 000")
            line(f"France, {n} acteurs : couples acteur × commune couverts", f"{result['pairs']}")
            previous = result["all_s"]
        for n in [int(v) for v in args.naif.split(",") if v]:
            naive = run_python(NAIVE.format(here=HERE, zones=str(tmp), n=n))
            line(f"Méthode naïve (polygones + sjoin), {n} acteurs", f"{naive['naive_s']:.2f} s")
            line(f"Matrice creuse, mêmes {n} acteurs", f"{naive['ours_s']:.2f} s")
            line("Rapport naïf / matrice creuse", f"{naive['naive_s'] / naive['ours_s']:.1f}×")
            line("Communes dont le compte diffère entre les deux", f"{naive['communes_differing']}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
