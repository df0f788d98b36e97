"""Exceptions of territoire.

Every error a user can cause carries a one-line French message meant to be shown
as is: the CLI prints ``Erreur : <message>`` and exits with code 1.
"""

from __future__ import annotations


class TerritoireError(Exception):
    """Base class: an error the user can fix, with a French message."""


class ReferentielError(TerritoireError):
    """The reference geography could not be read or built."""


class SpecError(TerritoireError):
    """A territory or coverage specification cannot be resolved."""


class UnknownCodeError(SpecError):
    """A code that matches nothing of the expected kind."""


class WrongKindError(SpecError):
    """A code that exists, but for another kind of territory."""


class AmbiguousNameError(SpecError):
    """A name that matches several places with different communes."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


class UnknownNameError(SpecError):
    """A name that matches nothing; ``suggestions`` holds the closest names."""

    def __init__(self, message: str, suggestions: list[str]) -> None:
        super().__init__(message)
        self.suggestions = suggestions


class WorkspaceError(TerritoireError):
    """The workspace folder or one of its files cannot be used."""


class VocabularyError(TerritoireError):
    """A value outside a controlled vocabulary."""
