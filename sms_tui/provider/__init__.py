"""Async httpx client of the Close API subset sms-tui speaks (provider-api.md §a).

`CloseClient(base_url, api_key, *, transport=None, timeout=…, sleep=asyncio.sleep, rng=…)` — typed
results (`models`), exceptions with messages a rep can read (`errors`), the last `RateLimit` seen
(`client.rate_limit`) for pacing. The API key never appears in reprs, logs or exception messages.
"""

from sms_tui.provider.client import CloseClient
from sms_tui.provider.errors import (
    AmbiguousRequestError,
    AmbiguousSendError,
    AuthError,
    Forbidden,
    NotFound,
    Offline,
    ProviderDataError,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    ValidationError,
)
from sms_tui.provider.models import (
    Contact,
    ContactPhone,
    Event,
    EventPage,
    Lead,
    Me,
    Page,
    PhoneNumber,
    Sms,
    SmsTemplate,
)
from sms_tui.provider.ratelimit import RateLimitInfo

__all__ = [
    "AmbiguousRequestError",
    "AmbiguousSendError",
    "AuthError",
    "CloseClient",
    "Contact",
    "ContactPhone",
    "Event",
    "EventPage",
    "Forbidden",
    "Lead",
    "Me",
    "NotFound",
    "Offline",
    "Page",
    "PhoneNumber",
    "ProviderDataError",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimitInfo",
    "RateLimited",
    "Sms",
    "SmsTemplate",
    "ValidationError",
]
