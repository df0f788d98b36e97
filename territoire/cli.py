"""The ``territoire`` command: a thin French layer over the library.

Commands parse their options, call the library and print. Heavy modules (geopandas,
folium, matplotlib, networkx) are imported inside the commands so that
``territoire --help`` starts fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__, _click_fr
from ._errors import TerritoireError

_click_fr.install()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _debug() -> bool:
    return os.environ.get("TERRITOIRE_DEBUG", "") not in ("", "0")


class FrenchGroup(click.Group):
    """Group that turns library errors into ``Erreur : …`` and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TerritoireError as exc:
            raise click.ClickException(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            raise click.ClickException("interrompu par l'utilisateur.") from None
        except Exception as exc:  # noqa: BLE001 - last resort: never a traceback for users
            if _debug():
                raise
            raise click.ClickException(
                f"erreur inattendue ({type(exc).__name__} : {exc}). "
                "Relancez avec TERRITOIRE_DEBUG=1 pour le détail et signalez-la."
            ) from None


def progress_printer(prefix: str = "") -> Callable[[str], None]:
    """Progress callback printing one line per step on stderr."""

    def report(message: str) -> None:
        click.echo(f"{prefix}{message}…", err=True)

    return report


def _ensure_referentiel() -> None:
    """Build the reference cache on first use, telling the user why it takes time."""
    from . import referentiel

    if referentiel._cache_ok(referentiel.cache_dir()):
        return
    click.echo(
        "Première utilisation : préparation du référentiel géographique "
        "(une seule fois, environ 20 secondes).",
        err=True,
    )
    referentiel.ensure_cache(progress=progress_printer("  - "))


def _write_output(text: str, sortie: Path | None) -> None:
    if sortie is None:
        click.echo(text)
        return
    from ._io import atomic_write_text

    atomic_write_text(sortie, text if text.endswith("\n") else text + "\n")
    click.echo(f"Écrit : {sortie}", err=True)


@click.group(cls=FrenchGroup, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="territoire", message="%(prog)s %(version)s")
def main() -> None:
    """Diagnostic territorial pour le travail social (CESF, ES, ME).

    Annuaire des acteurs, couverture du territoire, réseau partenarial, cartes et
    rapport, à partir des découpages administratifs officiels (hors ligne).

    \b
    Pour commencer :
      territoire profil "Le Grand Périgueux"
      territoire profil --departement 24 --format csv
    """


# --------------------------------------------------------------------------- referentiel


@main.group(cls=FrenchGroup)
def referentiel() -> None:
    """Référentiel géographique : source, millésime, cache."""


@referentiel.command("info")
@click.option("--reconstruire", is_flag=True, help="Reconstruire le cache à partir de la source.")
def referentiel_info(reconstruire: bool) -> None:
    """Source et millésime utilisés, nombre de communes, EPCI, cantons… et dossier du cache.

    \b
    Exemple :
      territoire referentiel info
    """
    from . import referentiel as ref
    from ._text import fmt_int

    if reconstruire:
        click.echo("Reconstruction du cache du référentiel…", err=True)
        ref.ensure_cache(rebuild=True, progress=progress_printer("  - "))
    else:
        _ensure_referentiel()
    meta = ref.meta()
    counts = meta["compte"]
    lines = [
        f"Source : paquet {meta['source']} {meta['version']} (lu hors ligne, sans Django)",
        f"Millésime : {meta['millesime']}",
        f"Communes : {fmt_int(counts['communes'])}",
        f"Communes déléguées, associées et arrondissements municipaux : {fmt_int(counts['communes_infra'])}",
        f"EPCI à fiscalité propre : {fmt_int(counts['epci'])}",
        f"Cantons : {fmt_int(counts['cantons'])}",
        f"Départements : {fmt_int(counts['departements'])}",
        f"Régions : {fmt_int(counts['regions'])}",
        f"Cache : {meta['dossier']} (construit le {meta['construit_le']} en {meta['duree_s']} s)",
    ]
    if meta["communes_sans_contour"]:
        lines.append(
            "Communes sans contour dans la source : " + ", ".join(meta["communes_sans_contour"])
        )
    if meta["communes_sans_population"]:
        lines.append(
            f"Communes sans population légale dans la source : {meta['communes_sans_population']} (Mayotte notamment)"
        )
    click.echo("\n".join(lines))


# --------------------------------------------------------------------------- profil

_TERRITORY_OPTIONS = (
    ("commune", "Une commune : code INSEE ou nom."),
    ("communes", "Plusieurs communes : codes ou noms séparés par des virgules."),
    ("epci", "Une intercommunalité : SIREN ou nom."),
    ("canton", "Un canton : code (par ex. 2412) ou nom."),
    ("departement", "Un département : code (24, 2A, 974) ou nom."),
    ("region", "Une région : code (75) ou nom."),
)


def territory_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Shared options selecting a territory by code or name."""
    for name, help_text in reversed(_TERRITORY_OPTIONS):
        func = click.option(f"--{name}", metavar="CODE|NOM", help=help_text)(func)
    return func


def resolve_territory(nom: str | None, **codes: str | None):
    """The territory designated by a free name or exactly one of the options."""
    from ._errors import SpecError
    from .selection import resolve

    given = {k: v for k, v in codes.items() if v is not None}
    if nom is not None:
        given = {"nom": nom, **given}
    if not given:
        raise SpecError(
            "Indiquez un territoire : un nom (\"Le Grand Périgueux\") ou une option "
            "--commune, --communes, --epci, --canton, --departement, --region."
        )
    if len(given) > 1:
        raise SpecError("Indiquez un seul territoire à la fois (un nom ou une seule option).")
    (key, value), = given.items()
    _ensure_referentiel()
    if key == "nom":
        return resolve(value)
    kind = "commune" if key == "communes" else key
    if key == "communes":
        return resolve([v for v in value.split(",")] if value.strip() else [], kind)
    return resolve(value, kind)


@main.command()
@click.argument("nom", required=False)
@territory_options
@click.option(
    "--format", "fmt", type=click.Choice(["texte", "csv", "json"]), default="texte",
    show_default=True, help="Texte pour lire, CSV ou JSON pour d'autres outils.",
)
@click.option("--sortie", type=click.Path(dir_okay=False, path_type=Path), help="Écrire dans ce fichier.")
def profil(nom: str | None, fmt: str, sortie: Path | None, **codes: str | None) -> None:
    """Profil d'un territoire : communes, population, surface, densité, EPCI, cantons.

    \b
    Exemples :
      territoire profil "Le Grand Périgueux"
      territoire profil --epci 200040392 --format csv
      territoire profil --communes 24322,24053
      territoire profil "Saint-Martin (32)"
    """
    from .profil import territory_profile

    territory = resolve_territory(nom, **codes)
    result = territory_profile(territory)
    if fmt == "json":
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
    elif fmt == "csv":
        text = result.communes.to_csv(sep=";", lineterminator="\n")
    else:
        from .console import render_profile

        text = render_profile(result)
    _write_output(text, sortie)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
