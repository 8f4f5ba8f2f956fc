"""In-process progress events, so the CLI can draw a progress bar while the flow runs.

The ingest flow calls ``emit`` from its own process (when a run has found its files, and as
each document is loaded or has failed), so listeners registered by the CLI receive every
event whatever task runner computes the documents (threads or Dask workers).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    kind: str
    """'planned' (total known), 'document_done'."""
    path: str = ""
    status: str = ""
    total: int = 0


Listener = Callable[[ProgressEvent], None]
_listeners: list[Listener] = []
_lock = threading.Lock()


def subscribe(listener: Listener) -> Callable[[], None]:
    with _lock:
        _listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return unsubscribe


def emit(event: ProgressEvent) -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(event)
