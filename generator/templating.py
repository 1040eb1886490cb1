"""The one Jinja environment, and errors that name the template file and line."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from generator.errors import Location, UserError


def _to_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


@cache
def environment(folder: Path) -> jinja2.Environment:
    """One environment per blueprint folder, so each template is compiled once per process."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
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
