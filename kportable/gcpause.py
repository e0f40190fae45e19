"""Pause Python's cyclic garbage collector around allocation-heavy work.

A run builds millions of small acyclic objects (parsed documents, positions, findings). They
are freed by reference counting; the cyclic collector only re-scans them, again and again as
the allocation count grows (measured: a JSON report of 2,000 findings over a 10k-document run
took 0.46 s with the collector on, 0.02 s with it paused).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
