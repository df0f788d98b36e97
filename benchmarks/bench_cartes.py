"""Benchmark of the maps (issue « Maps »).

In a fresh process, once the modules are imported and the reference cache exists:
the demo actors map in HTML and in PNG, and the boundaries map of a whole
département. The whole command line (interpreter start-up and imports included)
is timed too.

    python benchmarks/bench_cartes.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _mesure import line, run_python, time_command

WORK = """
import json, time, sys
from pathlib import Path
import geopandas, folium, matplotlib.pyplot, shapely, scipy.sparse  # imports not timed
from territoire import referentiel
from territoire.referentiel import selection
from territoire.rendu.cartes import interactive as carte_html, preparation as cartes, statique as carte_image
from territoire.sources.preremplissage import create_demo
referentiel.communes(geometry=False)
ws = create_demo(Path({folder!r}) / "demo")
out = {{}}
t = time.perf_counter()
data = cartes.prepare_actors_map(ws)
html = carte_html.actors_map_html(data, fond="aucun")
Path({folder!r}, "carte.html").write_text(html, encoding="utf-8")
out["html_s"] = time.perf_counter() - t
out["html_mb"] = len(html.encode()) / 1e6
t = time.perf_counter()
data = cartes.prepare_actors_map(ws, domaine="mobilite")
carte_image.actors_map_image(data, Path({folder!r}, "carte.png"))
out["png_s"] = time.perf_counter() - t
t = time.perf_counter()
dep = cartes.prepare_boundaries_map(selection.resolve("24", "departement"), ["communes", "cantons", "epci", "departements"])
html = carte_html.boundaries_map_html(dep, fond="aucun")
out["dep_html_s"] = time.perf_counter() - t
out["dep_html_mb"] = len(html.encode()) / 1e6
t = time.perf_counter()
carte_image.boundaries_map_image(dep, Path({folder!r}, "dep.png"))
out["dep_png_s"] = time.perf_counter() - t
t = time.perf_counter()
big = cartes.prepare_boundaries_map(selection.resolve("33", "departement"), ["communes", "cantons", "epci", "departements"])
html = carte_html.boundaries_map_html(big, fond="aucun")
out["gironde_mb"] = len(html.encode()) / 1e6
out["gironde_s"] = time.perf_counter() - t
print(json.dumps(out))
"""


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="territoire-bench-"))
    try:
        result = run_python(WORK.format(folder=str(tmp)))
        line("Carte des acteurs de la démo, HTML (préparation + rendu)", f"{result['html_s']:.2f} s", "< 2 s")
        line("  taille de la page", f"{result['html_mb']:.2f} Mo")
        line("Carte de couverture de la démo, PNG (préparation + rendu)", f"{result['png_s']:.2f} s", "< 2 s")
        line("Découpages de la Dordogne (503 communes), HTML", f"{result['dep_html_s']:.2f} s", "< 3 s")
        line("  taille de la page", f"{result['dep_html_mb']:.2f} Mo", "< 5 Mo")
        line("Découpages de la Dordogne, PNG", f"{result['dep_png_s']:.2f} s", "< 3 s")
        line("Découpages de la Gironde (535 communes), HTML", f"{result['gironde_s']:.2f} s")
        line("  taille de la page", f"{result['gironde_mb']:.2f} Mo", "< 5 Mo")
        exe = shutil.which("territoire") or str(Path(sys.executable).with_name("territoire"))
        demo = tmp / "demo"
        line("Commande entière « territoire carte » (démarrage compris)", f"{time_command([exe, 'carte', str(demo), '--fond', 'aucun'], 3):.2f} s")
        line("Commande entière « territoire carte --format png »", f"{time_command([exe, 'carte', str(demo), '--format', 'png'], 3):.2f} s")
        line("Commande entière « territoire decoupage --departement 24 »", f"{time_command([exe, 'decoupage', '--departement', '24', '--sortie', str(tmp / 'd.html')], 3):.2f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
