"""Run a plain function in a thread worker of a Textual node, as `@work(thread=True)` would.

The inbox's composed parts (`screens/inbox_*.py`) are plain objects, not DOM nodes, so they cannot
use the `@work` decorator; they hand their functions to the screen's `run_worker` through here,
with the same name, group and description the decorator would give (the screen's error toast
names the description).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.dom import DOMNode
from textual.worker import Worker


def in_thread(
    node: DOMNode,
    fn: Callable[..., object],
    *args: object,
    group: str,
    description: str | None = None,
    exclusive: bool = False,
) -> Worker[object]:
    """Run `fn(*args)` in a thread worker of `node`; a failure is reported, never raised."""
    if description is None:
        description = f"{fn.__name__}({', '.join(repr(arg) for arg in args)})"
    return node.run_worker(
        partial(fn, *args),
        name=fn.__name__,
        group=group,
        description=description,
        exclusive=exclusive,
        exit_on_error=False,
        thread=True,
    )
