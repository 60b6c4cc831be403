"""Close's error shapes, as exceptions the routes raise and one function that renders them.

- 400 validation: `{"errors": [...], "field-errors": {...}}` (what closeio_api.ValidationError reads);
- every other error: `{"error": "<message>"}`.
"""

from __future__ import annotations

from collections.abc import Mapping

from sms_tui.carrier.jsonsafe import CloseJSONResponse


class ApiError(Exception):
    """An error answer with Close's `{"error": ...}` body."""

    status_code = 400

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code

    def response(self) -> CloseJSONResponse:
        return CloseJSONResponse({"error": self.message}, status_code=self.status_code)


class ValidationFailed(ApiError):
    """400 with `errors` (general) and `field-errors` (per field), Close's validation shape."""

    def __init__(
        self, errors: list[str] | None = None, field_errors: Mapping[str, str] | None = None
    ) -> None:
        self.errors = list(errors or [])
        self.field_errors = dict(field_errors or {})
        first = self.errors[:1] or [f"{k}: {v}" for k, v in list(self.field_errors.items())[:1]]
        super().__init__(first[0] if first else "Invalid request.", 400)

    def response(self) -> CloseJSONResponse:
        return CloseJSONResponse({"errors": self.errors, "field-errors": self.field_errors}, status_code=400)


def field_error(field: str, message: str) -> ValidationFailed:
    return ValidationFailed([], {field: message})


class NotFound(ApiError):
    status_code = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class Unauthorized(ApiError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__(
            "The API key is missing or not valid. Use HTTP Basic auth: the key as user name, empty password."
        )

    def response(self) -> CloseJSONResponse:
        response = super().response()
        response.headers["WWW-Authenticate"] = 'Basic realm="sms-tui fake carrier"'
        return response
