"""Python's memory management kept out of the way of work that allocates much and frees little:
the cyclic collector paused, and what a command's last work built left for the process's end."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection(*, freeze: bool = False) -> Iterator[None]:
    """Reading, building and linting make millions of small containers and drop none of them
    until the end; the cyclic collector would walk them over and over for nothing (a fifth of
    the time of a large lint). Whatever cycles arise are collected once it is back on.

    With `freeze`, what survives (a lint's report, the cached schemas) is set aside for good
    instead: turned back on, the collector would first walk every container made meanwhile, a
    twentieth of a small lint's time. Only for a command's last work: cycles among what is set
    aside are never collected."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            if freeze:
                gc.freeze()
            gc.enable()


_KEPT: list[object] = []


def keep_until_exit(*objects: object) -> None:
    """Let `objects` outlive the work that made them. The command line ends the process with
    os._exit once its output is out, so what is kept here is never freed object by object
    (freeing a large lint's input takes longer than writing its report). The next call lets
    these go: a process that runs many commands, as the tests do, holds one command's worth."""
    _KEPT[:] = objects
