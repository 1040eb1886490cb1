"""`.gitops-gen.yaml`: which rules run, at what severity, on which paths, for which Kubernetes.

```yaml
select: [GG]            # id prefixes to run (default: every rule not off by default)
ignore: [GG51, GG702]   # id prefixes to skip
severity: {GG504: error, GG203: warning, GG511: off}
ignorePaths: ["charts/*", "*.sops.yaml"]
kubernetesVersion: "1.33"
crds: [crds/]           # CRD files or folders for your own custom resources
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.diagnostics import SEVERITIES
from generator.errors import Location, UserError

CONFIG_NAME = ".gitops-gen.yaml"
DEFAULT_KUBERNETES = "1.33"
_KEYS = ("select", "ignore", "severity", "ignorePaths", "kubernetesVersion", "crds")


@dataclass
class LintConfig:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    ignore_paths: tuple[str, ...] = ()
    kubernetes_version: str = DEFAULT_KUBERNETES
    crds: tuple[Path, ...] = ()
    source: Path | None = None

    def effective(self, code: str, default: str) -> str | None:
        """The severity `code` runs at, or None when it does not run.

        Rules off by default run (as warnings) only when named in full under `select` or given
        a severity.
        """
        if any(code.startswith(p) for p in self.ignore):
            return None
        if self.select and not any(code.startswith(p) for p in self.select):
            return None
        level = self.severity.get(code, default)
        if level == "off" and code not in self.severity and code in self.select:
            level = "warning"
        return None if level == "off" else level


def find(start: Path) -> Path | None:
    """The nearest `.gitops-gen.yaml` in `start` or above it."""
    here = start.resolve()
    if here.is_file() or not here.exists():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _strings(data: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError.at(Location(str(path)), "expected a list of strings", key)
    return tuple(value)


def load(path: Path) -> LintConfig:
    # Only a settings file is read with ruamel's positions: most lint runs have none.
    from generator.yamlio import load_document, read_text

    data, positions = load_document(read_text(path), str(path))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError.at(Location(str(path), 1, 1), "expected a mapping of settings")
    for key in data:
        if key not in _KEYS:
            raise UserError.at(
                positions.at((key,), key=True),
                f"unknown setting; expected one of {', '.join(_KEYS)}",
                key,
            )
    severity = data.get("severity", {})
    if not isinstance(severity, dict):
        raise UserError.at(positions.at(("severity",)), "expected a mapping", "severity")
    for code, level in severity.items():
        if level not in (*SEVERITIES, "off"):
            raise UserError.at(
                positions.at(("severity", code)),
                f"{level!r} is not a severity; expected error, warning, info or off",
                f"severity.{code}",
            )
    version = str(data.get("kubernetesVersion", DEFAULT_KUBERNETES))
    return LintConfig(
        select=_strings(data, "select", path),
        ignore=_strings(data, "ignore", path),
        severity={str(k): str(v) for k, v in severity.items()},
        ignore_paths=_strings(data, "ignorePaths", path),
        kubernetes_version=version,
        crds=tuple(path.parent / p for p in _strings(data, "crds", path)),
        source=path,
    )
