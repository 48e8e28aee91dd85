"""The dispatcher: sends what the sessions' outboxes hold, outside the request path.

It is a task on the loop that serves requests, started the first time it is woken inside a running loop (the
mock runs without lifespan events, so nothing else would start it), and cancelled with that loop when the server
stops. Each session with something due gets a worker that sends its deliveries one at a time, in event order;
sessions send in parallel. What is due is read off each session's mock clock: on a frozen clock a retry waits
until the clock is moved (the admin API wakes the dispatcher then); while retries wait on a running clock, the
dispatcher looks again every `POLL_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

from .webhooks import Attempt, Delivery

if TYPE_CHECKING:
    import httpx

    from .clock import Clock
    from .sessions import Session, SessionStore

POLL_SECONDS = 0.2
log = logging.getLogger("campaign_mock")


class Dispatcher:
    def __init__(self, store: SessionStore) -> None:
        self._store = store
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._bell = asyncio.Event()

    def wake(self) -> None:
        """Look for due deliveries now. Cheap, and safe to call anywhere: outside a running loop it does nothing
        (the next wake inside the server's loop finds the work)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = self._task
        if task is not None and not task.done() and self._loop is loop:
            self._bell.set()
            return
        if task is not None and not task.done() and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(task.cancel)  # a loop that served earlier requests (in-process clients)
        self._loop, self._bell = loop, asyncio.Event()
        self._task = loop.create_task(self._run(self._bell), name="campaign-mock webhook dispatcher")

    async def _run(self, bell: asyncio.Event) -> None:
        import httpx  # here, not at the top: a server that sends no webhook never pays for the import

        workers: dict[str, asyncio.Task[None]] = {}
        # Receivers are local test servers more often than not: no proxy from the environment.
        async with httpx.AsyncClient(trust_env=False) as client:
            try:
                while True:
                    bell.clear()
                    retries_waiting = self._start_workers(client, workers, bell)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(bell.wait(), POLL_SECONDS if retries_waiting else None)
            finally:
                for worker in workers.values():
                    worker.cancel()
                await asyncio.gather(*workers.values(), return_exceptions=True)

    def _start_workers(
        self, client: httpx.AsyncClient, workers: dict[str, asyncio.Task[None]], bell: asyncio.Event
    ) -> bool:
        """A worker for each session with something due and none at work; True when a retry waits on a running
        clock (so the dispatcher must look again soon)."""
        for name in [name for name, worker in workers.items() if worker.done()]:
            del workers[name]
        retries_waiting = False
        for session in self._store.all_sessions():
            outbox = session.outbox
            if not outbox.busy or session.name in workers:
                continue  # a worker at work rings the bell when it is done
            if outbox.next_due(session.clock.timestamp()) is not None:
                workers[session.name] = asyncio.create_task(self._drain(session, client, bell))
            elif not session.clock.frozen:
                retries_waiting = True
        return retries_waiting

    async def _drain(self, session: Session, client: httpx.AsyncClient, bell: asyncio.Event) -> None:
        """Send the session's due deliveries one at a time, until none is due or the session is gone (reset,
        replaced or forgotten: its outbox went with it)."""
        outbox = session.outbox
        try:
            while self._store.existing(session.name) is session:
                due = outbox.next_due(session.clock.timestamp())
                if due is None:
                    break
                delivery, replay = due
                attempt = await send(client, delivery, session.clock)
                outbox.record(delivery, attempt, replay)
        except Exception:  # a bug of ours: say so, and keep delivering for the other sessions
            log.exception("webhook delivery for session %s failed", session.name)
        finally:
            bell.set()


async def send(client: httpx.AsyncClient, delivery: Delivery, clock: Clock) -> Attempt:
    """One attempt: POST the signed body; no answer (refused, timed out, a URL nobody serves) is an attempt too."""
    import httpx  # already imported by the dispatcher that holds `client`

    at = clock.timestamp()
    started = time.perf_counter()
    status: int | None = None
    error: str | None = None
    timeout = delivery.policy.timeout_seconds
    try:
        response = await client.post(delivery.url, content=delivery.payload, headers=delivery.headers, timeout=timeout)
        status = response.status_code
    except httpx.TimeoutException:
        error = f"no answer within {timeout:g} s"
    except (httpx.HTTPError, httpx.InvalidURL, ValueError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Attempt(at, status, error, (time.perf_counter() - started) * 1000)
