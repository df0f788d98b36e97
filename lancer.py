#!/usr/bin/env python3
"""Lanceur : prépare tout seul l'environnement puis lance territoire.

    python3 lancer.py demo      # le travail principal : le diagnostic complet de la démonstration
    python3 lancer.py tests     # la suite de tests
    python3 lancer.py lint      # les vérifications du code (ruff, import-linter, mypy)
    python3 lancer.py ARGS...   # n'importe quelle commande « territoire ARGS... »

Au premier lancement, un environnement virtuel est créé dans .venv et le projet y
est installé avec ses dépendances ; ensuite, rien n'est réinstallé tant que
pyproject.toml ne change pas.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

DEMO_FOLDER = "demo-grand-perigueux"


def say(message: str) -> None:
    print(f"[lancer] {message}", file=sys.stderr, flush=True)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit("territoire demande Python 3.11 ou plus récent.")
    if not PYTHON.exists():
        say("création de l'environnement virtuel .venv…")
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as exc:
            sys.exit(
                f"Impossible de créer l'environnement virtuel ({exc}). "
                "Sous Debian ou Ubuntu : sudo apt install python3-venv"
            )
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:12]
    stamp = VENV / f".installe-{digest}"
    if not stamp.exists():
        say("installation de territoire et de ses dépendances (une seule fois)…")
        pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        try:
            subprocess.run([*pip, "--upgrade", "pip"], check=True)
            subprocess.run([*pip, "-e", f"{ROOT}[test,lint]"], check=True)
        except subprocess.CalledProcessError:
            sys.exit("[lancer] l'installation a échoué : voir les messages de pip ci-dessus.")
        for old in VENV.glob(".installe-*"):
            old.unlink()
        stamp.touch()


#: The code checks of ``lint``, each a command run from the checkout (see pyproject.toml).
LINT_STEPS = (
    ("ruff", ["ruff", "check", "."]),
    ("import-linter (couches)", ["lint-imports"]),
    ("mypy (types)", ["mypy"]),
)


def lint() -> int:
    """Run every code check, report each, and fail if any fails."""
    failed = []
    for label, command in LINT_STEPS:
        say(f"{label}…")
        if subprocess.run([str(BIN / command[0]), *command[1:]], cwd=ROOT).returncode:
            failed.append(label)
    if failed:
        say("échec : " + ", ".join(failed))
        return 1
    say("toutes les vérifications passent")
    return 0


def territoire(*args: str) -> int:
    return subprocess.run([str(BIN / "territoire"), *args], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "aide"):
        print(__doc__)
        return 0
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "tests":
        workers = ["-n", "auto"] if "-n" not in rest else []
        return subprocess.run([str(PYTHON), "-m", "pytest", *workers, *rest], cwd=ROOT).returncode
    if command == "lint":
        return lint()
    if command == "demo":
        # the demo workspace is copied once, then kept: the student may edit it
        if not (ROOT / DEMO_FOLDER / "territoire.toml").exists():
            code = territoire("demo", DEMO_FOLDER)
            if code:
                return code
        return territoire("diagnostic", DEMO_FOLDER, *rest)
    return territoire(*argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
