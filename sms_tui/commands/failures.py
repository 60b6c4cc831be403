"""How every command ends when the cache (or the config) cannot be used: one sentence on stderr,
`{"ok": false, "error": …}` on stdout with --json, a distinct exit code, never a traceback.

Shared by `sms-tui sync`, `sms-tui` / `sms-tui demo`, `sms-tui cache …` and `sms-tui login`;
the exit codes of cache failures are `sms_tui.store.failures.EXIT_CODES`.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from sms_tui.core.safe_text import safe

if TYPE_CHECKING:
    from sms_tui.store.failures import CacheError


def fail(message: str, code: int, *, as_json: bool = False) -> NoReturn:
    """The human message on stderr; with --json also `{"ok": false, "error": …}` on stdout, so a
    script reading stdout gets an answer it can parse rather than nothing. The message may quote
    the provider or a file name: it goes through the one safe path."""
    import click  # only once something failed: the inbox's start path runs without click

    message = safe(message)
    click.echo(message, err=True)
    if as_json:
        click.echo(json.dumps({"ok": False, "error": message}))
    sys.exit(code)


def as_cache_error(exc: BaseException, cache: Path | str) -> CacheError | None:
    """`exc` (or the error it was raised from) as a cache failure, or None."""
    from sms_tui.store.failures import cache_error  # the store loads only when something failed

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = cache_error(current, cache)
        if found is not None:
            return found
        current = current.__cause__ or current.__context__
    return None


def fail_for_cache(exc: BaseException, cache: Path | str, *, as_json: bool = False) -> None:
    """Exit with the cache's sentence and code when `exc` is a cache failure; return otherwise."""
    found = as_cache_error(exc, cache)
    if found is not None:
        fail(str(found), found.exit_code, as_json=as_json)


@contextmanager
def cache_failures(cache: Path | str, *, as_json: bool = False) -> Iterator[None]:
    """Turn a cache failure inside the block into `fail(...)`; other errors pass through."""
    try:
        yield
    except Exception as exc:  # re-raised unless it is a cache failure
        fail_for_cache(exc, cache, as_json=as_json)
        raise


class SafeFormatter(logging.Formatter):
    """A log line (message, exception and all) through the one safe path: a provider's error
    text in a warning cannot carry an escape sequence to the rep's terminal. Wraps the handler's
    own formatter, so its format and date format stay as they were."""

    def __init__(self, fmt: str | None = None, inner: logging.Formatter | None = None) -> None:
        super().__init__(fmt)
        self._inner = inner

    def format(self, record: logging.LogRecord) -> str:
        text = self._inner.format(record) if self._inner is not None else super().format(record)
        return safe(text)


class _CurrentStderr(logging.Handler):
    """Writes to whatever `sys.stderr` is at the time (Textual captures it while the inbox runs,
    so a warning never lands on the screen; click's test runner captures it in tests)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # logging must never break the command
            self.handleError(record)


def install_safe_logging() -> None:
    """Warnings of sms-tui itself go to stderr as one safe line each (e.g. "the cache is locked;
    waiting…"); every other handler, and Python's last-resort one, format through `safe` too."""
    ours = logging.getLogger("sms_tui")
    if not any(isinstance(h, _CurrentStderr) for h in ours.handlers):
        warnings = _CurrentStderr()
        warnings.setLevel(logging.WARNING)
        warnings.setFormatter(SafeFormatter("%(message)s"))
        ours.addHandler(warnings)
    handlers = [logging.lastResort, *logging.getLogger().handlers]
    for handler in handlers:
        if handler is not None and not isinstance(handler.formatter, SafeFormatter):
            handler.setFormatter(SafeFormatter(inner=handler.formatter))
