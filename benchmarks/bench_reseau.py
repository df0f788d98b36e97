"""Benchmark of the partnership network (issue « Partnership network »).

1. The demo: every network analysis and figure (partner map PNG, interactive page).
2. A synthetic network of 5 000 actors and 20 000 relations: each measure timed,
   exact and with the sampled approximation (betweenness, harmonic closeness).

    python benchmarks/bench_reseau.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _mesure import line, run_python

DEMO = """
import json, time
from pathlib import Path
import networkx, matplotlib.pyplot, bokeh.plotting  # imports not timed
from territoire import referentiel
from territoire.analyses import reseau
from territoire.dossier.annuaire import load_directory
from territoire.sources.preremplissage import create_demo
from territoire.rendu.reseau import network_page, partner_map
referentiel.communes(geometry=False)
ws = create_demo(Path({folder!r}) / "demo")
directory = load_directory(ws)
t = time.perf_counter()
report = reseau.analyse_workspace(directory, date=ws.date, ego=ws.settings.structure, radius=2)
t_analyse = time.perf_counter() - t
t = time.perf_counter()
partner_map(report.ego, Path({folder!r}) / "p.png")
t_map = time.perf_counter() - t
t = time.perf_counter()
page = network_page(report.network, report.metrics, title="Réseau")
t_page = time.perf_counter() - t
t = time.perf_counter()
scenario = reseau.analyse_workspace(directory, date=ws.date, without=[ws.settings.structure])
t_scenario = time.perf_counter() - t
print(json.dumps({{"analyse": t_analyse, "map": t_map, "page": t_page, "scenario": t_scenario,
                  "page_mb": len(page.encode()) / 1e6}}))
"""

LARGE = """
import json, random, time
import networkx as nx
import pandas as pd
from territoire.analyses import reseau
rng = random.Random(5)
n, m = 5000, 20000
families = ["etat", "collectivite", "association", "essms", "emploi-insertion", "protection-sociale", "habitants"]
actors = pd.DataFrame({{"nom": [f"Acteur {{i}}" for i in range(n)], "famille": [rng.choice(families) for _ in range(n)],
                       "type": "ASSO", "role": "operationnel", "source": "saisie"}}, index=pd.Index([f"a{{i}}" for i in range(n)], name="acteur"))
# a territory-like network: local clusters plus some long ties
pairs = set()
while len(pairs) < m:
    a = rng.randrange(n)
    b = (a + rng.randint(1, 40)) % n if rng.random() < 0.85 else rng.randrange(n)
    if a != b:
        pairs.add((min(a, b), max(a, b)))
rel = pd.DataFrame({{"source": [f"a{{a}}" for a, _ in pairs], "cible": [f"a{{b}}" for _, b in pairs],
                    "type": [rng.choice(["convention", "informel", "financement", "orientation"]) for _ in pairs],
                    "forme": "initiative", "formalisation": "aucune", "intensite": [rng.randint(1, 3) for _ in pairs],
                    "debut": None, "fin": None, "objet": "", "notes": "", "oriente": False, "valide": True}})
times = {{}}
t = time.perf_counter(); net = reseau.build_graph(actors, rel); times["graphe"] = time.perf_counter() - t
g = net.graph
t = time.perf_counter(); reseau.whole_network(net); times["reseau_entier"] = time.perf_counter() - t
t = time.perf_counter(); nx.betweenness_centrality(g); times["intermediarite_exacte"] = time.perf_counter() - t
t = time.perf_counter(); nx.betweenness_centrality(g, k=reseau.SAMPLE_SIZE, seed=reseau.SEED); times["intermediarite_echantillon"] = time.perf_counter() - t
t = time.perf_counter(); nx.harmonic_centrality(g); times["proximite_exacte"] = time.perf_counter() - t
t = time.perf_counter(); reseau._sampled_harmonic(g, reseau.SAMPLE_SIZE); times["proximite_echantillon"] = time.perf_counter() - t
t = time.perf_counter(); nx.constraint(g, weight="weight"); times["contrainte"] = time.perf_counter() - t
t = time.perf_counter(); nx.effective_size(g, weight="weight"); times["taille_effective"] = time.perf_counter() - t
t = time.perf_counter(); nx.core_number(g); times["k_coeur"] = time.perf_counter() - t
t = time.perf_counter(); reseau.communities_of(g); times["louvain"] = time.perf_counter() - t
t = time.perf_counter(); reseau.actor_metrics(net, approximate=False); times["toutes_mesures_exactes"] = time.perf_counter() - t
t = time.perf_counter(); reseau.actor_metrics(net, approximate=True); times["toutes_mesures_approchees"] = time.perf_counter() - t
print(json.dumps(times))
"""


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="territoire-bench-"))
    try:
        demo = run_python(DEMO.format(folder=str(tmp)))
        line("Démo : analyses du réseau (rayon 2)", f"{demo['analyse']:.2f} s")
        line("Démo : carte des partenaires (PNG)", f"{demo['map']:.2f} s")
        line("Démo : page interactive", f"{demo['page']:.2f} s")
        total = demo["analyse"] + demo["map"] + demo["page"]
        line("Démo : analyses et figures", f"{total:.2f} s", "< 2 s")
        line("Démo : scénario sans la structure (couverture comprise)", f"{demo['scenario']:.2f} s")
        large = run_python(LARGE.format())
        line("5 000 acteurs, 20 000 relations :", "")
        for key, value in large.items():
            if key in ("wall_s", "peak_mb"):
                continue
            line(f"  {key.replace('_', ' ')}", f"{value:.2f} s", "< 30 s" if key.startswith("toutes") else "")
        line("  mémoire maximale", f"{large['peak_mb']:.0f} Mo")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
