"""Benchmark of ``territoire diagnostic`` (issue « The diagnosis report »).

Runs the whole diagnosis of the demo (all formats) in a fresh process once the
reference cache exists, and prints the time of each step; then times the whole
command line, start-up included, over several runs (median and best: on a shared
virtual machine one run may vary by a second).

    python benchmarks/bench_diagnostic.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import statistics

from _mesure import command_times, line, run_python

RUN = """
import json, time
t0 = time.perf_counter()
from pathlib import Path
from territoire import referentiel
from territoire.sources.preremplissage import create_demo
from territoire.diagnostic import run_diagnostic
referentiel.communes(geometry=False)
ws = create_demo(Path({folder!r}) / "demo")
t1 = time.perf_counter()
result = run_diagnostic(ws)
t2 = time.perf_counter()
print(json.dumps({{"setup_s": t1 - t0, "diagnostic_s": t2 - t1, "steps": result.timings, "failures": result.failures,
                  "files": len(result.files)}}))
"""


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="territoire-bench-"))
    try:
        result = run_python(RUN.format(folder=str(tmp)))
        for name, seconds in result["steps"].items():
            line(f"  étape « {name} »", f"{seconds:.2f} s")
        line("Diagnostic de la démo, tous formats (dans le processus)", f"{result['diagnostic_s']:.2f} s", "< 6 s")
        line("Imports et copie de la démo, avant le diagnostic", f"{result['setup_s']:.2f} s")
        line("Processus entier", f"{result['wall_s']:.2f} s", "< 6 s")
        line("Mémoire maximale", f"{result['peak_mb']:.0f} Mo")
        if result["failures"]:
            print("ÉCHECS :", result["failures"])
        exe = shutil.which("territoire") or str(Path(sys.executable).with_name("territoire"))
        times = command_times([exe, "diagnostic", str(tmp / "demo")], 5)
        line("Commande « territoire diagnostic » entière, médiane de 5", f"{statistics.median(times):.2f} s", "< 6 s")
        line("Commande « territoire diagnostic » entière, meilleure des 5", f"{min(times):.2f} s")
        # the speed of this machine at that moment, to read the figures above
        reference = command_times([sys.executable, "-c", "import geopandas, matplotlib.pyplot"], 3)
        line("Référence : « import geopandas, matplotlib.pyplot »", f"{statistics.median(reference):.2f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
