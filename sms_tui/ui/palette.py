"""The command palette (`ctrl+p`) and the `?` help screen read one table: every action of the inbox.

The table is generated from the `BINDINGS` of the nodes the rep works in (app, inbox screen,
lead list, composer), with the app's keymap applied, so help, palette and keys never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from textual.binding import Binding, BindingsMap
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode


@dataclass(frozen=True, slots=True)
class ActionEntry:
    group: str
    keys: str  # as the rep presses them, e.g. "ctrl+j / alt+enter"
    description: str
    tooltip: str
    node: DOMNode
    action: str

    @property
    def enabled(self) -> bool:
        """What the node's `check_action` says now (None = shown but disabled)."""
        name, _, _ = self.action.partition("(")
        return bool(self.node.check_action(name, ()))


def _display(node: DOMNode, binding: Binding) -> str:
    keys = [key.strip() for key in binding.key.split(",") if key.strip()]
    return " / ".join(node.app.get_key_display(binding.with_key(key)) for key in keys)


def action_table(nodes: Iterable[tuple[str, DOMNode]], keymap: dict[str, str]) -> list[ActionEntry]:
    """(group title, node) pairs → one entry per described binding, keymap applied."""
    out: list[ActionEntry] = []
    seen: set[tuple[int, str]] = set()
    for group, node in nodes:
        bindings = BindingsMap(type(node).BINDINGS)
        if keymap:
            bindings.apply_keymap(keymap)
        merged: dict[str, Binding] = {}
        keys: dict[str, list[str]] = {}
        for key, binding in bindings:
            ident = binding.id or binding.action
            merged.setdefault(ident, binding)
            keys.setdefault(ident, []).append(key)
        for ident, binding in merged.items():
            if not binding.description or (id(node), binding.action) in seen:
                continue
            seen.add((id(node), binding.action))
            shown = binding.with_key(",".join(keys[ident]))
            out.append(
                ActionEntry(
                    group=group,
                    keys=_display(node, shown),
                    description=binding.description,
                    tooltip=binding.tooltip,
                    node=node,
                    action=binding.action,
                )
            )
    return out


class InboxCommands(Provider):
    """The command palette's view of the action table (context-aware: disabled ones hidden)."""

    def _entries(self) -> list[ActionEntry]:
        screen = self.screen
        table = getattr(screen, "action_entries", None)
        return [entry for entry in table() if entry.enabled] if callable(table) else []

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(
                f"{entry.description}  ({entry.keys})",
                partial(self.app.run_action, entry.action, entry.node),
                help=entry.tooltip or entry.group,
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            text = f"{entry.description}  ({entry.keys})"
            score = matcher.match(f"{entry.description} {entry.group}")
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(text),
                    partial(self.app.run_action, entry.action, entry.node),
                    help=entry.tooltip or entry.group,
                )
