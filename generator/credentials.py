"""Credentials that must not reach git or the terminal: tokens in URLs, secrets in `env`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.docpaths import DocPath, Positions, format_path
from generator.errors import Problem

# scheme://userinfo@…: for http(s) and oci any userinfo is a credential (a token often stands
# alone as the user name); for ssh a user name is normal (`ssh://git@…`), a password is not.
_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<userinfo>[^/?#@\s]*)@")
_SECRET_WORDS = ("PASSWORD", "TOKEN", "SECRET")


def redacted(url: str) -> str | None:
    """`url` with its credentials masked, or None when it carries none."""
    found = _USERINFO.match(url)
    if found is None:
        return None
    if found["scheme"].lower() == "ssh" and ":" not in found["userinfo"]:
        return None
    return f"{found['scheme']}://***@{url[found.end() :]}"


def url_problems(value: Any, positions: Positions, path: DocPath = ()) -> Iterator[Problem]:
    """Every string of a loaded document that is a URL with credentials, masked."""
    if isinstance(value, str):
        masked = redacted(value)
        if masked is not None:
            yield Problem(
                positions.at(path),
                format_path(path),
                f"the URL {masked} carries credentials; they would be written to git and "
                "printed: give ArgoCD a repository secret and remove them here",
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from url_problems(item, positions, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from url_problems(item, positions, (*path, index))


def secret_looking(name: str) -> bool:
    """An environment variable name that usually holds a secret."""
    upper = name.upper()
    return any(word in upper for word in _SECRET_WORDS) or upper.endswith("_KEY")
