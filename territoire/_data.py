"""Where the embedded data (schemas, demo workspace) is.

In an installed wheel it is ``territoire/_data`` (copied from the top-level ``data/``
folder at build time); in a source checkout it is ``data/`` itself.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_root() -> Path:
    packaged = Path(str(resources.files("territoire"))) / "_data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def data_path(*parts: str) -> Path:
    return data_root().joinpath(*parts)
