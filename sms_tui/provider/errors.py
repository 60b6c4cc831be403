"""Exceptions of the provider client, each with a message a sales rep can read.

Why a hierarchy of our own instead of letting httpx errors escape: httpx exceptions carry the request
(and a rep cannot act on "ReadTimeout"), and the sync engine must tell apart "nothing happened"
(safe to repeat) from "the request may have reached the server" (`AmbiguousRequestError`, reconcile
first). No message here ever contains the API key: the client scrubs every text it wraps.
"""

from __future__ import annotations

from collections.abc import Mapping


class ProviderError(Exception):
    """Base class: something went wrong talking to the provider."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code

    def __str__(self) -> str:
        return self.message


class AuthError(ProviderError):
    """401: the API key was refused."""


class Forbidden(ProviderError):
    """403 (or 402, plan limit): the key is valid but may not do this."""


class NotFound(ProviderError):
    """404: the object does not exist (or is not visible to this key)."""


class ValidationError(ProviderError):
    """400: the provider refused the request; `field_errors` maps field -> reason."""

    def __init__(
        self,
        message: str,
        *,
        errors: tuple[str, ...] = (),
        field_errors: Mapping[str, str] | None = None,
        status_code: int | None = 400,
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.errors = errors
        self.field_errors: dict[str, str] = dict(field_errors or {})


class RateLimited(ProviderError):
    """429 and the wait the provider asked for is longer than the client will sleep."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, status_code=429)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    """5xx after the retries that were safe to make."""


class Offline(ProviderError):
    """The provider could not be reached at all (DNS, refused connection, connect timeout)."""


class AmbiguousRequestError(ProviderError):
    """A non-idempotent request (a POST) may or may not have been applied by the provider.

    Raised instead of retrying blindly: a read time-out, a dropped connection or a 5xx after the
    request left. The caller must look on the provider for the effect before trying again.
    """

    def __init__(self, message: str, *, method: str, path: str, status_code: int | None = None) -> None:
        super().__init__(message, status_code=status_code)
        self.method = method
        self.path = path


#: The name the sync engine uses: an SMS POST whose outcome is unknown.
AmbiguousSendError = AmbiguousRequestError


class ProviderDataError(ProviderError):
    """The provider answered, but the answer is not what the API promises (bad JSON, missing field,
    wrong type). Nothing from such an answer is applied."""
