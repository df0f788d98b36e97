"""``territoire diagnostic``: every analysis, map and figure of a workspace, then the
report — step by step, each step independent: a failing step is reported in French
and the others still produce their outputs."""

from __future__ import annotations

import datetime as dt
import os
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from territoire._errors import TerritoireError

STEPS = ("Annuaire", "Profil du territoire", "Couverture", "Réseau", "Cartes", "Rapport")
#: Domains drawn as coverage maps in the report (those with the most people uncovered).
COVERAGE_MAPS = 2


@dataclass
class DiagnosticResult:
    """What the diagnosis wrote, what failed (step → French message), how long each
    step took, how many errors the directory holds, and the report's findings."""

    files: list[Path] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    problems: int = 0
    findings: list[str] = field(default_factory=list)


def run_diagnostic(
    workspace,
    *,
    formats: Sequence[str] = ("html", "docx", "md"),
    domaines: Sequence[str] | None = None,
    date: dt.date | None = None,
    fond: str = "osm",
    progress: Callable[[str], None] | None = None,
) -> DiagnosticResult:
    """Run the whole diagnosis of ``workspace`` and write everything into it."""
    from territoire._io import atomic_write_text
    from territoire.rendu.cartes.preparation import source_line
    from territoire.rendu.rapport.blocs import Material
    from territoire.rendu.rapport.formats import FORMATS, write_report
    from territoire.rendu.rapport.sections import build_report, domain_gaps

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise TerritoireError(f"format(s) inconnu(s) : {', '.join(unknown)} (choisissez parmi {', '.join(FORMATS)}).")
    if domaines:  # a misspelt domain stops everything at once, before any work
        from territoire.dossier.vocab import vocabulary

        domaines = [vocabulary("domaines").normalize(d) for d in domaines]
    report_progress = progress or (lambda _message: None)
    date = date or workspace.date
    result = DiagnosticResult()
    material = Material(workspace=workspace, date=date, source_line=source_line())
    results_dir = workspace.results_dir()
    maps_dir = workspace.path / "cartes"
    report_dir = workspace.path / "rapport"
    figures_dir = report_dir / "figures"

    def step(number: int, name: str, action: Callable[[], None]) -> None:
        report_progress(f"[{number}/{len(STEPS)}] {name}…")
        started = time.perf_counter()
        try:
            action()
        except TerritoireError as exc:
            result.failures[name] = str(exc)
        except Exception as exc:
            result.failures[name] = f"erreur inattendue ({type(exc).__name__} : {exc})"
            if os.environ.get("TERRITOIRE_DEBUG", "") not in ("", "0"):  # the detail, for a bug report
                traceback.print_exc()
        result.timings[name] = time.perf_counter() - started
        if name in result.failures:
            report_progress(f"      échec : {result.failures[name]}")

    def directory_step() -> None:
        from territoire.dossier.annuaire import load_directory

        material.directory = load_directory(workspace)
        result.problems = len(material.directory.errors)

    def profile_step() -> None:
        from territoire.referentiel.profil import territory_profile

        material.profile = territory_profile(workspace.territory())

    def coverage_step() -> None:
        from territoire.analyses.couverture import Options, analyse, write_tables

        _needs(material.directory, "Annuaire")
        material.coverage = analyse(material.directory, Options(domaines=list(domaines) if domaines else None, date=date))
        result.files.extend(write_tables(material.coverage, results_dir))

    def network_step() -> None:
        from territoire.analyses.reseau import analyse_workspace, write_tables
        from territoire.rendu.reseau import network_page, partner_map

        _needs(material.directory, "Annuaire")
        report = analyse_workspace(material.directory, date=date, ego=workspace.settings.structure or None, radius=1)
        material.network = report
        result.files += write_tables(report, results_dir)
        if report.whole["relations"]:
            maps_dir.mkdir(exist_ok=True)
            title = workspace.settings.territoire_nom or workspace.territory().label
            page = network_page(report.network, report.metrics, title=f"Réseau partenarial — {title}", source=material.source_line)
            atomic_write_text(maps_dir / "reseau.html", page)
            result.files.append(maps_dir / "reseau.html")
            material.links["reseau"] = "../cartes/reseau.html"
        if report.ego is not None:
            figure = partner_map(report.ego, figures_dir / "partenaires.png", source=material.source_line)
            material.figures["partenaires"] = figure
            result.files.append(figure)

    def maps_step() -> None:
        from territoire.rendu.cartes.interactive import actors_map_html
        from territoire.rendu.cartes.preparation import (
            display_coverage_polygons,
            prepare_actors_map,
            prepare_boundaries_map,
        )
        from territoire.rendu.cartes.statique import actors_map_image, boundaries_map_image

        _needs(material.directory, "Annuaire")
        territory = workspace.territory()
        figures_dir.mkdir(parents=True, exist_ok=True)
        boundaries = prepare_boundaries_map(territory, ["communes", "cantons", "epci"])
        material.figures["territoire"] = boundaries_map_image(boundaries, figures_dir / "territoire.png")
        result.files.append(material.figures["territoire"])
        from territoire import referentiel

        communes = referentiel.communes(departements=territory.departements).loc[list(territory.communes)]
        polygons = display_coverage_polygons(workspace, communes, material.directory)
        shared = {"directory": material.directory, "analysis": material.coverage, "polygons": polygons, "date": date}
        data = prepare_actors_map(workspace, **shared)
        material.figures["acteurs"] = actors_map_image(data, figures_dir / "acteurs.png")
        result.files.append(material.figures["acteurs"])
        if material.coverage is not None:
            gaps = domain_gaps(material.coverage)
            for code in gaps[gaps["communes_sans_acteur"] > 0]["valeur"].head(COVERAGE_MAPS):
                domain_map = prepare_actors_map(workspace, domaine=code, **shared)
                path = actors_map_image(domain_map, figures_dir / f"couverture-{code}.png")
                material.figures[f"couverture-{code}"] = path
                result.files.append(path)
        maps_dir.mkdir(exist_ok=True)
        atomic_write_text(maps_dir / "carte-acteurs.html", actors_map_html(data, fond=fond))
        material.links["carte"] = "../cartes/carte-acteurs.html"
        result.files.append(maps_dir / "carte-acteurs.html")

    def report_step() -> None:
        material.failures = dict(result.failures)
        report = build_report(material)
        result.findings = report.findings
        result.files.extend(write_report(report, report_dir, formats))

    actions = (directory_step, profile_step, coverage_step, network_step, maps_step, report_step)
    for number, (name, action) in enumerate(zip(STEPS, actions, strict=True), start=1):
        step(number, name, action)
    return result


def _needs(value, step: str) -> None:
    if value is None:
        raise TerritoireError(f"l'étape « {step} » a échoué auparavant")
