"""Errors users see, kept apart from bugs.

A `UserError` means the input or the invocation is wrong (exit 2); `InvalidOutput` means the
generator produced objects that fail validation or do not build (exit 1). Anything else that
escapes is a bug (exit 3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_BUG = 3


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; line and col are 1-based, either may be unknown."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.path
        if not self.col:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, printed as one line."""

    location: Location
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return one_line(f"{self.location}: {where}{self.message}")


def one_line(text: str) -> str:
    """Escape line breaks and other control characters.

    Messages quote values from the input, and a value (or key, or file name) may hold a newline;
    printed raw it would split one problem over several lines and break `file:line:col` parsers.
    """
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


class UserError(Exception):
    """Bad input or usage: every problem found, sorted by position."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, location: Location, message: str, path: str = "") -> UserError:
        return cls([Problem(location, path, message)])


class InvalidOutput(Exception):
    """Rendered objects that fail validation or do not build; nothing was written."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


class BudgetExceeded(Exception):
    """A cluster's memory requests do not fit even with the smallest profile (exit 1)."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))
