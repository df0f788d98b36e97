"""Helpers shared by the benchmark scripts: run a snippet in a fresh process and
report its wall time and peak memory."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time


def run_python(code: str, env: dict[str, str] | None = None) -> dict:
    """Run ``code`` in a new interpreter; it must print one JSON object last.

    Returns that object plus ``wall_s`` (whole process) and ``peak_mb`` (peak RSS).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    wall = time.perf_counter() - started
    if out.returncode:
        raise RuntimeError(out.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["wall_s"] = wall
    # ru_maxrss of children is the max over all children so far (kB on Linux)
    data["peak_mb"] = max(peak, before) / 1024
    return data


def command_times(argv: list[str], repeat: int = 5) -> list[float]:
    """Wall times of a command over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def time_command(argv: list[str], repeat: int = 5) -> float:
    """Median wall time of a command over ``repeat`` runs."""
    return statistics.median(command_times(argv, repeat))


def line(label: str, value: str, target: str = "") -> None:
    """Print one aligned result line."""
    suffix = f"   (objectif : {target})" if target else ""
    print(f"{label:<58} {value:>12}{suffix}")
