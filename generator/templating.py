"""The one Jinja environment, and errors that name the template file and line.

Blueprint folders may come from an untrusted branch: templates run in Jinja's immutable
sandbox (no attributes that reach Python internals, no mutation of the values passed in), and
the loader refuses any template that resolves outside its blueprint folder, symlinks included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from generator.errors import Location, UserError


def _to_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


class ConfinedLoader(jinja2.FileSystemLoader):
    """Templates of one folder only: `{% include %}` of a symlink out of it is an error."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.root = folder.resolve()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.root):
            raise jinja2.TemplateNotFound(
                template, f"template '{template}' resolves outside its blueprint folder"
            )
        return source, filename, uptodate


@cache
def environment(folder: Path) -> jinja2.Environment:
    """One environment per blueprint folder, so each template is compiled once per process."""
    env = ImmutableSandboxedEnvironment(
        loader=ConfinedLoader(folder),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    # Values go into YAML: JSON is valid YAML flow syntax and quotes whatever needs quoting.
    env.filters["yaml"] = _to_json
    return env


def render(folder: Path, name: str, context: dict[str, Any]) -> str:
    """Render `folder/name`; template mistakes become a UserError at the template's line."""
    path = folder / name
    try:
        return environment(folder).get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise UserError.at(
            Location(str(path), exc.lineno or 0), f"template syntax error: {exc.message}"
        ) from None
    except jinja2.TemplateError as exc:
        raise UserError.at(
            Location(str(path), _template_line(exc, path)), f"template error: {exc}"
        ) from None


def _template_line(exc: BaseException, path: Path) -> int:
    """The line of the innermost frame that runs inside the template file."""
    line = 0
    trace = exc.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == str(path):
            line = trace.tb_lineno
        trace = trace.tb_next
    return line
