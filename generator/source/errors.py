"""One error hierarchy. Every error a user can cause carries a location and a hint.

Messages are written for legal staff: Japanese first, saying what is wrong and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """A place in a source file; line and column are 1-based as editors show them."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Finding:
    """One problem in the sources: printed as ``path:line:col: code message``."""

    location: Location
    code: str
    message: str
    hint: str = ""
    severity: str = "error"  # "error" or "warning"

    def format(self) -> str:
        text = f"{self.location}: {self.code} {self.message}"
        if self.hint:
            text += f"\n    → {self.hint}"
        return text


class KiyakuError(Exception):
    """Base class: raised for any problem a user can cause; the CLI prints it without a traceback."""

    def __init__(self, findings: list[Finding] | Finding) -> None:
        self.findings = [findings] if isinstance(findings, Finding) else list(findings)
        super().__init__("\n".join(f.format() for f in self.findings))


class SourceError(KiyakuError):
    """Raised when a YAML file cannot be read or does not follow the source format."""


class ModelError(KiyakuError):
    """Raised when the sources are readable but inconsistent (unknown id, bad override, ...)."""


class RenderError(KiyakuError):
    """Raised when a document cannot be rendered (missing template, unknown template variable)."""


class ReleaseError(KiyakuError):
    """Raised when a release, a time-travel lookup or a notice cannot be made."""


class OutputError(KiyakuError):
    """Raised when outputs cannot be written or do not match their manifest."""


def at(path: Path | str, line: int = 1, col: int = 1) -> Location:
    return Location(str(path), line, col)


def error(path: Path | str, code: str, message: str, hint: str = "", line: int = 1, col: int = 1) -> Finding:
    return Finding(Location(str(path), line, col), code, message, hint)
