"""Benchmark of the actor directory (issue « Actor directory »).

Builds a synthetic workspace of 10 000 actors and 20 000 relations (communes of
Dordogne, mixed types, domains and coverages), then loads and validates it in a
fresh process. Prints wall time and peak memory.

    python benchmarks/bench_annuaire.py [--acteurs 10000] [--relations 20000]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _mesure import line, run_python

VALIDATE = """
import json, time, sys
t0 = time.perf_counter()
from territoire.dossier.workspace import Workspace
from territoire.dossier.annuaire import load_directory
from territoire import referentiel
referentiel.communes(geometry=False)
t1 = time.perf_counter()
ws = Workspace(sys.argv[1] if len(sys.argv) > 1 else {folder!r})
directory = load_directory(ws)
t2 = time.perf_counter()
print(json.dumps({{"imports_s": t1 - t0, "load_validate_s": t2 - t1,
                  "actors": len(directory.actors), "relations": len(directory.relations),
                  "problems": len(directory.problems)}}))
"""


def build(folder: Path, n_actors: int, n_relations: int) -> None:
    from territoire import referentiel
    from territoire.dossier import vocab
    from territoire.dossier.tables import table_from_records, write_table
    from territoire.dossier.workspace import ACTOR_COLUMNS, RELATION_COLUMNS
    from territoire.sources.preremplissage import create_workspace

    rng = random.Random(1)
    ws = create_workspace(folder, "24", prefill=False)
    communes = referentiel.communes(departements=["24"], geometry=False)
    codes = communes.index.tolist()
    epcis = sorted(set(communes["epci"]))
    types = vocab.vocabulary("types").codes
    domains = vocab.vocabulary("domaines").codes
    publics = vocab.vocabulary("publics").codes
    rows = []
    for i in range(n_actors):
        commune = rng.choice(codes)
        kind = rng.random()
        if kind < 0.3:
            coverage = ""
        elif kind < 0.55:
            coverage = "|".join(rng.sample(codes, rng.randint(1, 12)))
        elif kind < 0.7:
            coverage = rng.choice(epcis)
        elif kind < 0.8:
            coverage = "24"
        elif kind < 0.95:
            coverage = f"rayon:{rng.randint(2, 25)}"
        else:
            coverage = "region:75"
        with_point = rng.random() < 0.5
        row = communes.loc[commune]
        rows.append({
            "id": f"a{i}", "nom": f"Acteur {i}", "type": rng.choice(types),
            "domaines": "|".join(rng.sample(domains, rng.randint(0, 3))),
            "publics": "|".join(rng.sample(publics[:-2], rng.randint(0, 2))),
            "commune": commune if rng.random() < 0.8 else row["nom"],
            "latitude": f"{row['mairie_lat'] + rng.uniform(-0.01, 0.01):.5f}".replace(".", ",") if with_point else "",
            "longitude": f"{row['mairie_lon'] + rng.uniform(-0.01, 0.01):.5f}".replace(".", ",") if with_point else "",
            "couverture": coverage, "mise_a_jour": "2026-01-01",
        })
    write_table(table_from_records(rows, ACTOR_COLUMNS), folder / "acteurs.csv")
    rel_types = vocab.vocabulary("types_relation").codes
    relations = []
    for _ in range(n_relations):
        a, b = rng.sample(range(n_actors), 2)
        relations.append({
            "source": f"a{a}", "cible": f"a{b}", "type": rng.choice(rel_types),
            "forme": rng.choice(["initiative", "palliatif", "impose"]),
            "formalisation": rng.choice(["convention", "charte", "aucune"]),
            "intensite": str(rng.randint(1, 3)), "debut": f"20{rng.randint(15, 25)}-01-01",
        })
    write_table(table_from_records(relations, RELATION_COLUMNS), folder / "relations.csv")
    del ws


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--acteurs", type=int, default=10_000)
    parser.add_argument("--relations", type=int, default=20_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="territoire-bench-"))
    try:
        build(tmp / "ws", args.acteurs, args.relations)
        result = run_python(VALIDATE.format(folder=str(tmp / "ws")))
        line("Acteurs / relations lus", f"{result['actors']} / {result['relations']}")
        line("Imports et référentiel (avant chargement)", f"{result['imports_s']:.2f} s")
        line("Chargement + validation", f"{result['load_validate_s']:.2f} s", "< 3 s")
        line("Processus entier", f"{result['wall_s']:.2f} s")
        line("Mémoire maximale du processus", f"{result['peak_mb']:.0f} Mo", "< 500 Mo")
        line("Problèmes signalés", str(result["problems"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
