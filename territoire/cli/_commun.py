"""What every command shares: French errors, lazy loading of the commands, progress
lines, the territory options, opening a workspace, reading dates and lists.

Nothing heavy is imported here: ``territoire --help`` only loads click.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from territoire._errors import SpecError, TerritoireError

if TYPE_CHECKING:
    from territoire.dossier.workspace import Workspace
    from territoire.referentiel.selection import Territory

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
        except BrokenPipeError:
            # output piped into a command that stopped reading (head, less…): stop quietly
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            raise click.exceptions.Exit(0) from None
        except Exception as exc:
            if _debug():
                raise
            raise click.ClickException(
                f"erreur inattendue ({type(exc).__name__} : {exc}). "
                "Relancez avec TERRITOIRE_DEBUG=1 pour le détail et signalez-la."
            ) from None


class LazyGroup(FrenchGroup):
    """Group whose commands live in their own modules, imported only when run.

    ``commands`` maps each command name to ``("module:attribute", summary)``; the
    summary is what ``--help`` lists, so listing the commands imports nothing (a test
    checks that each summary is the command's own).
    """

    def __init__(self, *args: Any, lazy_commands: Mapping[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_commands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy_commands:
            return super().get_command(ctx, cmd_name)
        target, _summary = self.lazy_commands[cmd_name]
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their summaries, shortened the way click shortens help."""
        names = sorted(self.lazy_commands)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        # a stand-in command shortens each summary exactly as the real one would be
        rows = [
            (name, click.Command(name, help=self.lazy_commands[name][1]).get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commandes"):
            formatter.write_dl(rows)


def progress_printer(prefix: str = "") -> Callable[[str], None]:
    """Progress callback printing one line per step on stderr."""

    def report(message: str) -> None:
        click.echo(f"{prefix}{message}…", err=True)

    return report


def ensure_referentiel() -> None:
    """Build the reference cache on first use, telling the user why it takes time."""
    from territoire import referentiel

    if referentiel.cache_ok(referentiel.cache_dir()):
        return
    click.echo(
        "Première utilisation : préparation du référentiel géographique "
        "(une seule fois, environ 20 secondes).",
        err=True,
    )
    referentiel.ensure_cache(progress=progress_printer("  - "))


def write_output(text: str, sortie: Path | None) -> None:
    """Print ``text``, or write it to ``sortie`` and say so."""
    if sortie is None:
        click.echo(text)
        return
    from territoire._io import atomic_write_text

    atomic_write_text(sortie, text if text.endswith("\n") else text + "\n")
    click.echo(f"Écrit : {sortie}", err=True)


def csv_text(records: list[dict[str, Any]], fieldnames: Iterable[str] | None = None) -> str:
    """Records as ``;``-separated CSV text (the header of the first record by default)."""
    buffer = io.StringIO()
    names = list(fieldnames) if fieldnames is not None else (list(records[0]) if records else ["id"])
    writer = csv.DictWriter(buffer, fieldnames=names, delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


# --------------------------------------------------------------------------- territory

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


def resolve_territory(nom: str | None, **codes: str | None) -> Territory:
    """The territory designated by a free name or exactly one of the options."""
    from territoire.referentiel.selection import resolve

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
    ((key, value),) = given.items()
    ensure_referentiel()
    if key == "nom":
        return resolve(value)
    kind = "commune" if key == "communes" else key
    if key == "communes":
        return resolve(list(value.split(",")) if value.strip() else [], kind)
    return resolve(value, kind)


# --------------------------------------------------------------------------- workspace

DOSSIER = click.argument("dossier", type=click.Path(file_okay=False, path_type=Path))


def open_workspace(dossier: Path) -> Workspace:
    from territoire.dossier.workspace import Workspace

    ensure_referentiel()
    return Workspace(dossier)


def parse_date_option(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise TerritoireError(f"date « {value} » illisible : écrivez AAAA-MM-JJ (par exemple 2026-10-01).") from None


def list_option(value: str | None) -> list[str] | None:
    if not value:
        return None
    separator = "|" if "|" in value else ","
    return [v.strip() for v in value.split(separator) if v.strip()]


def print_problems(problems: Iterable[Any]) -> None:
    problems = list(problems)
    for p in problems:
        if p.gravite == "erreur":
            click.echo(f"  Erreur : {p}")
    for p in problems:
        if p.gravite != "erreur":
            click.echo(f"  Avertissement : {p}")
