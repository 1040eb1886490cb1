"""Kubernetes memory quantities (`512Mi`, `4Gi`, `1G`, `134217728`) as whole bytes."""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

_SUFFIXES = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
}
# Also used verbatim in schemas/catalogue.schema.json so editors flag bad values early.
PATTERN = r"^[0-9]+(\.[0-9]+)?(k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$"
_RE = re.compile(PATTERN)


def parse_bytes(text: str | int) -> int:
    """Bytes in a memory quantity; raises ValueError on anything else."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    parsed = _parsed(str(text))
    if parsed is None:
        raise ValueError(f"{text!r} is not a memory quantity such as 512Mi or 4Gi")
    return parsed


# A fleet asks for the same few quantities of every cluster, each component and profile.
@lru_cache(maxsize=1024)
def _parsed(text: str) -> int | None:
    match = _RE.match(text)
    if not match:
        return None
    number, suffix = text[: match.start(2)] if match.group(2) else text, match.group(2)
    # Fraction, not float: 2**53 + 1 bytes must stay 2**53 + 1.
    return int(Fraction(number) * _SUFFIXES[suffix or ""])


def format_bytes(value: int) -> str:
    """The shortest exact binary quantity (`1536Mi`, `4Gi`), else plain bytes."""
    for suffix in ("Pi", "Ti", "Gi", "Mi", "Ki"):
        unit = _SUFFIXES[suffix]
        if value and value % unit == 0:
            return f"{value // unit}{suffix}"
    return str(value)
