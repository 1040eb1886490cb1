"""Python's cyclic garbage collector paused around work that allocates much and frees little."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Reading, building and linting make millions of small containers and drop none of them
    until the end; the cyclic collector would walk them over and over for nothing (a fifth of
    the time of a large lint). Whatever cycles arise are collected once it is back on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
