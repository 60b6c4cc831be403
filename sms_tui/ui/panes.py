"""Every size usable: which layout the inbox uses, from the terminal's size, and (when only one
pane fits) which pane shows, from where the focus is.

- 80×24 and up: both panes. At 24-29 rows the screen is `-compact` (app.tcss): the composer may
  take at most 40% of the height and its input 4 lines, so the conversation keeps >= 8 lines
  however long the draft.
- Under 80 columns or under 24 rows (`-narrow` / `-short`): one pane at a time instead of squeezing both. The
  list shows while it has the focus; Enter (reply) moves the focus to the composer and the
  conversation pane takes the whole width; Escape goes back to the list. The class that picks the
  pane follows the focus (`follow_focus`), so every key that moves the focus moves the pane too.
"""

from __future__ import annotations

from textual.widget import Widget

#: (min width, class): under 80 columns only one pane fits.
HORIZONTAL = [(0, "-narrow"), (80, "-wide")]
#: (min height, class): under 24 rows one pane; 24-29 rows compact.
VERTICAL = [(0, "-short"), (24, "-compact"), (30, "-tall")]

SHOW_CONVERSATION = "-show-conversation"


def size_classes(width: int, height: int) -> dict[str, bool]:
    """The breakpoint classes Textual's first Resize gives the screen at this size (for each
    axis, the class of the largest threshold the size reaches), each name with whether it is on.

    Set before the inbox's first styling, that Resize changes no class and so restyles nothing:
    one whole-screen restyle less before the first rows (it took 17 ms of a loaded start, traced).
    """
    classes: dict[str, bool] = {}
    for breakpoints, size in ((HORIZONTAL, width), (VERTICAL, height)):
        reached = [(threshold, name) for threshold, name in breakpoints if size >= threshold]
        on = max(reached)[1] if reached else None
        classes.update((name, name == on) for _, name in breakpoints)
    return classes


def in_conversation(focused: Widget | None) -> bool:
    """True when the focus is inside the right pane (conversation or composer)."""
    node = focused
    while node is not None:
        if node.id == "right":
            return True
        parent = node.parent
        node = parent if isinstance(parent, Widget) else None
    return False


def apply(screen: Widget, focused: Widget | None) -> None:
    """Which pane `screen` shows when only one fits (app.tcss: `-narrow` / `-short` select the
    single-pane layout; Textual sets them from the breakpoints above)."""
    screen.set_class(in_conversation(focused), SHOW_CONVERSATION)
