"""Text that cannot be stored never gets in, and text that did (an older carrier's --db) cannot get out raw.

- `find_unstorable(value)` walks a parsed JSON value and names the first string holding a lone surrogate
  (`"\\ud800"` is valid JSON but not Unicode text: it cannot be encoded as UTF-8), so the request is a 400.
- `scrub(value)` replaces lone surrogates with U+FFFD, for rows stored before the carrier refused them.
- `CloseJSONResponse` is the one response class the carrier answers with: it never fails to render.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import JSONResponse

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
#: a JSON text that may hold an escaped surrogate (`\ud83d\ude00` pairs too; `scrub` tells them apart)
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def find_unstorable(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (key or value) holding a lone surrogate, else None."""
    if isinstance(value, str):
        return path or "(body)" if _LONE_SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if _LONE_SURROGATE.search(str(key)):
                return where
            found = find_unstorable(item, where)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = find_unstorable(item, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


def scrub(value: Any) -> Any:
    """`value` with every lone surrogate replaced by U+FFFD (the same object when there was none)."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value) if _LONE_SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def loads_stored(raw: str) -> Any:
    """`json.loads` for a stored row, scrubbed when its text shows an escaped surrogate."""
    value = json.loads(raw)
    return scrub(value) if _ESCAPED_SURROGATE.search(raw) else value


class CloseJSONResponse(JSONResponse):
    """Starlette's JSONResponse (UTF-8, no ASCII escaping), but a lone surrogate anywhere in the
    content becomes U+FFFD instead of a UnicodeEncodeError (a 500 on every list that holds it)."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return super().render(scrub(content))
