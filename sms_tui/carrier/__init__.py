"""The fake carrier: a Close-compatible SMS backend (Starlette ASGI app) with a simulated carrier.

- `create_app(api_key=, seed=, db_path=None, clock=None)` -> ASGI app (works with httpx.ASGITransport)
- `start_background(host=, port=0, api_key=, seed=, db_path=None, clock=None)` -> `RunningCarrier`
- `Clock`, `SystemClock`, `FakeClock`: timed behaviour runs against an injectable clock.

See docs/carrier.md for the API subset, the simulation and the `/_carrier/` control endpoints.
"""

from __future__ import annotations

from sms_tui.carrier.app import CarrierApp, ConnectionDropped, create_app
from sms_tui.carrier.clock import Clock, FakeClock, SystemClock
from sms_tui.carrier.server import RunningCarrier, start_background

__all__ = [
    "CarrierApp",
    "Clock",
    "ConnectionDropped",
    "FakeClock",
    "RunningCarrier",
    "SystemClock",
    "create_app",
    "start_background",
]
