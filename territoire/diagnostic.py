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
from typing import Any

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
    from territoire.rendu.cartes.preparation import source_line
    from territoire.rendu.rapport.blocs import Material
    from territoire.rendu.rapport.formats import FORMATS

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise TerritoireError(f"format(s) inconnu(s) : {', '.join(unknown)} (choisissez parmi {', '.join(FORMATS)}).")
    if domaines:  # a misspelt domain stops everything at once, before any work
        from territoire.dossier.vocab import vocabulary

        domaines = [vocabulary("domaines").normalize(d) for d in domaines]
    date = date or workspace.date
    run = _Diagnosis(
        workspace=workspace,
        formats=formats,
        domaines=domaines,
        date=date,
        fond=fond,
        report_progress=progress or (lambda _message: None),
        material=Material(workspace=workspace, date=date, source_line=source_line()),
    )
    actions = (run.directory_step, run.profile_step, run.coverage_step, run.network_step, run.maps_step, run.report_step)
    for number, (name, action) in enumerate(zip(STEPS, actions, strict=True), start=1):
        run.step(number, name, action)
    return run.result


@dataclass
class _Diagnosis:
    """One run of the diagnosis: its options, the material gathered for the report
    step after step, the result, and one method per step of :data:`STEPS`."""

    workspace: Any
    formats: Sequence[str]
    domaines: Sequence[str] | None
    date: dt.date | None
    fond: str
    report_progress: Callable[[str], None]
    material: Any
    result: DiagnosticResult = field(default_factory=DiagnosticResult)

    def __post_init__(self) -> None:
        self.results_dir = self.workspace.results_dir()
        self.maps_dir = self.workspace.path / "cartes"
        self.report_dir = self.workspace.path / "rapport"
        self.figures_dir = self.report_dir / "figures"

    def step(self, number: int, name: str, action: Callable[[], None]) -> None:
        """Run one step, timed; a failure is recorded (in French) and said, not raised."""
        result = self.result
        self.report_progress(f"[{number}/{len(STEPS)}] {name}…")
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
            self.report_progress(f"      échec : {result.failures[name]}")

    def directory_step(self) -> None:
        """Annuaire: read the actors and relations; count the errors found."""
        from territoire.dossier.annuaire import load_directory

        self.material.directory = load_directory(self.workspace)
        self.result.problems = len(self.material.directory.errors)

    def profile_step(self) -> None:
        """Profil du territoire: communes, population, units touched."""
        from territoire.referentiel.profil import territory_profile

        self.material.profile = territory_profile(self.workspace.territory())

    def coverage_step(self) -> None:
        """Couverture: the coverage analysis and its tables."""
        from territoire.analyses.couverture import Options, analyse, write_tables

        material = self.material
        _needs(material.directory, "Annuaire")
        material.coverage = analyse(material.directory, Options(domaines=list(self.domaines) if self.domaines else None, date=self.date))
        self.result.files.extend(write_tables(material.coverage, self.results_dir))

    def network_step(self) -> None:
        """Réseau: the network analysis, its tables, its page and the partners' figure."""
        from territoire._io import atomic_write_text
        from territoire.analyses.reseau import analyse_workspace, write_tables
        from territoire.rendu.reseau import network_page, partner_map

        workspace, material, result = self.workspace, self.material, self.result
        _needs(material.directory, "Annuaire")
        report = analyse_workspace(material.directory, date=self.date, ego=workspace.settings.structure or None, radius=1)
        material.network = report
        result.files += write_tables(report, self.results_dir)
        if report.whole["relations"]:
            self.maps_dir.mkdir(exist_ok=True)
            title = workspace.settings.territoire_nom or workspace.territory().label
            page = network_page(report.network, report.metrics, title=f"Réseau partenarial — {title}", source=material.source_line)
            atomic_write_text(self.maps_dir / "reseau.html", page)
            result.files.append(self.maps_dir / "reseau.html")
            material.links["reseau"] = "../cartes/reseau.html"
        if report.ego is not None:
            figure = partner_map(report.ego, self.figures_dir / "partenaires.png", source=material.source_line)
            material.figures["partenaires"] = figure
            result.files.append(figure)

    def maps_step(self) -> None:
        """Cartes: the territory and actors figures, coverage figures of the domains
        with the most people uncovered, and the interactive actors map."""
        from territoire._io import atomic_write_text
        from territoire.rendu.cartes.interactive import actors_map_html
        from territoire.rendu.cartes.preparation import (
            display_coverage_polygons,
            prepare_actors_map,
            prepare_boundaries_map,
        )
        from territoire.rendu.cartes.statique import actors_map_image, boundaries_map_image
        from territoire.rendu.rapport.sections import domain_gaps

        workspace, material, result = self.workspace, self.material, self.result
        figures_dir, maps_dir = self.figures_dir, self.maps_dir
        _needs(material.directory, "Annuaire")
        territory = workspace.territory()
        figures_dir.mkdir(parents=True, exist_ok=True)
        boundaries = prepare_boundaries_map(territory, ["communes", "cantons", "epci"])
        material.figures["territoire"] = boundaries_map_image(boundaries, figures_dir / "territoire.png")
        result.files.append(material.figures["territoire"])
        from territoire import referentiel

        communes = referentiel.communes(departements=territory.departements).loc[list(territory.communes)]
        polygons = display_coverage_polygons(workspace, communes, material.directory)
        shared = {"directory": material.directory, "analysis": material.coverage, "polygons": polygons, "date": self.date}
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
        atomic_write_text(maps_dir / "carte-acteurs.html", actors_map_html(data, fond=self.fond))
        material.links["carte"] = "../cartes/carte-acteurs.html"
        result.files.append(maps_dir / "carte-acteurs.html")

    def report_step(self) -> None:
        """Rapport: the report (with the failures so far) in every format asked."""
        from territoire.rendu.rapport.formats import write_report
        from territoire.rendu.rapport.sections import build_report

        self.material.failures = dict(self.result.failures)
        report = build_report(self.material)
        self.result.findings = report.findings
        self.result.files.extend(write_report(report, self.report_dir, self.formats))


def _needs(value, step: str) -> None:
    if value is None:
        raise TerritoireError(f"l'étape « {step} » a échoué auparavant")
