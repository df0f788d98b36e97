"""The command's structure: commands loaded on demand, summaries that match, a light start."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from territoire.cli import COMMANDS, main


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_summary_is_the_commands_own(name):
    ctx = click.Context(main)
    command = main.get_command(ctx, name)
    assert command is not None and command.name == name
    stored = click.Command(name, help=COMMANDS[name][1]).get_short_help_str(200)
    assert command.get_short_help_str(200) == stored


def test_help_lists_every_command_in_french():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "Commandes:" in result.output and "Commands" not in result.output
    listed = [line.split()[0] for line in result.output.split("Commandes:")[1].splitlines() if line.strip()]
    assert listed == sorted(COMMANDS)


def test_help_imports_no_command_module_nor_data_library():
    code = (
        "import sys, json\n"
        "from territoire.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('territoire', 'pandas', 'geopandas', 'numpy')))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    assert not [m for m in loaded if m.split(".")[0] in ("pandas", "geopandas", "numpy")]
    assert sorted(loaded) == ["territoire", "territoire._errors", "territoire.cli", "territoire.cli._click_fr", "territoire.cli._commun"]


def test_unknown_command_is_refused_in_french():
    result = CliRunner().invoke(main, ["analyse"])
    assert result.exit_code == 2
    assert "Commande inconnue" in result.output
