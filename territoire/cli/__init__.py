"""The ``territoire`` command: a thin French layer over the library.

Each command (or group of commands) lives in its own module and only parses its
options, calls the library and prints. The modules are imported when their command
runs (:class:`~territoire.cli._commun.LazyGroup`), so that ``territoire --help``
starts at once.
"""

from __future__ import annotations

import sys

import click

from territoire import __version__
from territoire.cli import _click_fr
from territoire.cli._commun import CONTEXT, LazyGroup

_click_fr.install()

#: Command name → ("module:attribute", summary shown by ``territoire --help``).
COMMANDS: dict[str, tuple[str, str]] = {
    "acteurs": (
        "territoire.cli.acteurs:acteurs",
        "Annuaire des acteurs : lister, ajouter, modifier, supprimer, valider, importer, exporter.",
    ),
    "analyser": (
        "territoire.cli.analyser:analyser",
        "Couverture du territoire : zones blanches, chevauchements, découpages, distances.",
    ),
    "carte": (
        "territoire.cli.cartes:carte",
        "Carte des acteurs : communes, EPCI, acteurs, zones d'intervention, relations.",
    ),
    "decoupage": (
        "territoire.cli.cartes:decoupage",
        "Carte des découpages administratifs d'un département ou d'une région (formateurs).",
    ),
    "demo": (
        "territoire.cli.dossier:demo",
        "Copier le dossier de démonstration (Grand Périgueux) pour découvrir l'outil.",
    ),
    "diagnostic": (
        "territoire.cli.diagnostic:diagnostic",
        "Tout le diagnostic : profil, couverture, réseau, cartes, carte des partenaires et rapport.",
    ),
    "init": (
        "territoire.cli.dossier:init",
        "Créer un dossier de diagnostic, prérempli avec les acteurs du référentiel.",
    ),
    "profil": (
        "territoire.cli.profil:profil",
        "Profil d'un territoire : communes, population, surface, densité, EPCI, cantons.",
    ),
    "referentiel": (
        "territoire.cli.referentiel:referentiel",
        "Référentiel géographique : source, millésime, cache.",
    ),
    "relations": (
        "territoire.cli.relations:relations",
        "Relations entre acteurs : lister, ajouter, supprimer.",
    ),
    "reseau": (
        "territoire.cli.reseau:reseau",
        "Réseau partenarial : centralité, passeurs, isolés, formalisation, carte des partenaires.",
    ),
    "stage": (
        "territoire.cli.cartes:stage",
        "Zone de stage : cercle autour du lieu, communes et acteurs dans le rayon, distances.",
    ),
    "vocabulaire": (
        "territoire.cli.dossier:vocabulaire",
        "Valeurs acceptées dans les colonnes (familles, types, domaines, publics…).",
    ),
}


@click.group(cls=LazyGroup, context_settings=CONTEXT, lazy_commands=COMMANDS)
@click.version_option(__version__, "--version", prog_name="territoire", message="%(prog)s %(version)s")
def main() -> None:
    """Diagnostic territorial pour le travail social (CESF, ES, ME).

    Annuaire des acteurs, couverture du territoire, réseau partenarial, cartes et
    rapport, à partir des découpages administratifs officiels (hors ligne).

    \b
    Pour commencer :
      territoire demo                               (copie le dossier de démonstration)
      territoire diagnostic demo-grand-perigueux    (tout le diagnostic et le rapport)
      territoire init mon-diagnostic --territoire "Le Grand Périgueux"
    """


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
