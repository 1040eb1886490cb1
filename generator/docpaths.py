"""Where a value stands in a YAML document: its path of keys and indexes, and the line and
column of each path. Every reader keeps positions this way; none of it needs a YAML library."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.errors import Location

# Nesting deeper than this is refused: later stages (schema validation, rendering) recurse per
# level, ruamel's scanner slows quadratically with bracket depth, and no catalogue comes close.
MAX_DEPTH = 200

DocPath = tuple[str | int, ...]


@dataclass
class Positions:
    """Where each value (and each mapping key) of a loaded document stands in its file."""

    file: str
    values: dict[DocPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[DocPath, tuple[int, int]] = field(default_factory=dict)

    def at(self, path: DocPath, *, key: bool = False) -> Location:
        """The location of `path`, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        probe = path
        while True:
            if probe in table:
                line, col = table[probe]
                return Location(self.file, line, col)
            if probe in self.values:
                line, col = self.values[probe]
                return Location(self.file, line, col)
            if not probe:
                return Location(self.file, 1, 1)
            probe = probe[:-1]


def format_path(path: DocPath) -> str:
    """`("clusters", 2, "nodePools")` → `clusters[2].nodePools`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out
