"""prefect-dask's DaskTaskRunner, made to work with Prefect's temporary API server.

Without PREFECT_API_URL (a plain `reportflow ingest`), Prefect runs a temporary API server
inside this process tree; its address is not part of the settings that prefect-dask sends to
the workers with each task, so every Dask worker started a temporary server of its own (measured:
~60 s before the first task ran, and task runs recorded in the wrong place). This runner lends
the workers the address of the server this process is using, for as long as the runner is
open. With a configured PREFECT_API_URL nothing changes.

It also keeps the local scheduler's and nannies' INFO chatter (they log in this process) at
Prefect's logging level, so `reportflow ingest` stays as quiet with Dask as without.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from typing import Any, Self

from prefect_dask import DaskTaskRunner


class ReportflowDaskTaskRunner(DaskTaskRunner):
    def __enter__(self) -> Self:
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

        settings = get_current_settings()
        distributed_log = logging.getLogger("distributed")
        wanted = logging.getLevelName(str(settings.logging.level).upper())
        if isinstance(wanted, int) and distributed_log.getEffectiveLevel() < wanted:
            distributed_log.setLevel(wanted)
        self._lent_api: AbstractContextManager[Any] | None = None
        if not settings.api.url:
            with get_client(sync_client=True) as client:
                url = str(client.api_url)
            self._lent_api = temporary_settings({PREFECT_API_URL: url})
            self._lent_api.__enter__()
        try:
            return super().__enter__()
        except BaseException:
            self._release_api(None, None, None)
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            super().__exit__(*exc)
        finally:
            self._release_api(*exc)

    def _release_api(self, *exc: Any) -> None:
        lent, self._lent_api = getattr(self, "_lent_api", None), None
        if lent is not None:
            lent.__exit__(*exc)
