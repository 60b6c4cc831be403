"""Serving the carrier with uvicorn: in a background thread (`start_background`, for
`sms-tui demo` and loopback tests) or in the foreground (`serve`, for `sms-tui carrier`).

Dropping a connection *without an answer* needs the socket: uvicorn answers 500 when an app
fails before responding. So we run uvicorn's h11 protocol with a small subclass that remembers
each connection's transport by client address; the app's dropper aborts it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from sms_tui.carrier.app import CarrierApp, create_app
from sms_tui.carrier.clock import Clock

_TRANSPORTS: dict[tuple[str, int], asyncio.Transport] = {}
_TRANSPORTS_LOCK = threading.Lock()


class _TrackingH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus a registry of live transports keyed by the client's address."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        peer = transport.get_extra_info("peername")
        if peer:
            with _TRANSPORTS_LOCK:
                _TRANSPORTS[(str(peer[0]), int(peer[1]))] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        peer = self.transport.get_extra_info("peername") if self.transport else None
        if peer:
            with _TRANSPORTS_LOCK:
                _TRANSPORTS.pop((str(peer[0]), int(peer[1])), None)
        super().connection_lost(exc)


def _drop(scope: Any) -> bool:
    client = scope.get("client")
    if not client:
        return False
    with _TRANSPORTS_LOCK:
        transport = _TRANSPORTS.get((str(client[0]), int(client[1])))
    if transport is None:
        return False
    transport.abort()
    return True


def make_server(app: CarrierApp, host: str, port: int, *, log_level: str = "warning") -> uvicorn.Server:
    app.dropper[0] = _drop
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=_TrackingH11Protocol,
        lifespan="on",
        access_log=False,  # the carrier logs its own line per request (never the key)
        log_level=log_level,
        log_config=None,
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


@dataclass
class RunningCarrier:
    """A carrier served by uvicorn in a daemon thread."""

    app: CarrierApp
    host: str
    port: int
    server: uvicorn.Server
    thread: threading.Thread
    started_in: float = field(default=0.0)

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}api/v1/"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.app.carrier.close()

    def __enter__(self) -> RunningCarrier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_background(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str,
    seed: int,
    db_path: str | Path | None = None,
    clock: Clock | None = None,
    app: CarrierApp | None = None,
    timeout: float = 10.0,
) -> RunningCarrier:
    """Serve a carrier (a new one, or `app`) on `host:port` (0 = any free port); return once it serves."""
    began = time.perf_counter()
    app = app or create_app(api_key=api_key, seed=seed, db_path=db_path, clock=clock)
    server = make_server(app, host, port)
    thread = threading.Thread(target=server.run, name="sms-tui-carrier", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the fake carrier did not start on {host}:{port}")
        time.sleep(0.01)
    bound = port
    for srv in server.servers:
        for sock in srv.sockets:
            bound = sock.getsockname()[1]
            break
    return RunningCarrier(app, host, bound, server, thread, time.perf_counter() - began)


def serve(app: CarrierApp, host: str, port: int) -> None:
    """Serve in the foreground until interrupted (used by `sms-tui carrier`)."""
    logging.getLogger("uvicorn.error").setLevel(logging.INFO)
    make_server(app, host, port, log_level="info").run()
