"""Attach a file to the message being written (which makes it an MMS).

A path field with completion (→ or tab-less end key accepts the suggestion; a folder completes
with "/"), and under it what the file is and whether it may go: its type, its size against the
limit of the sending number (600 KB from a local number, more from a toll-free one) and the
recipient's country, all judged by `core.mms` BEFORE anything is uploaded. A picture over the
limit can be shrunk (ctrl+r, Pillow, in a worker) and the result's size is shown; the files
already attached are listed and ctrl+t removes them. Enter attaches; Escape leaves everything as it
was. File names are outside text: they reach the screen through the safe path.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.suggester import Suggester
from textual.widgets import Input, Static

from sms_tui.core import mms
from sms_tui.core.models import Attachment
from sms_tui.core.phones import country_name
from sms_tui.ui.media import Media, MediaError, Shrunk, attachment_for
from sms_tui.ui.screens.dialog import BaseDialog
from sms_tui.ui.text import one_line, visible

#: At most this many entries of a folder are read for one suggestion (a huge folder stays fast).
MAX_LISTED = 2000


class PathSuggester(Suggester):
    """Completes a typed path with the first matching entry of its folder (folders end in "/")."""

    def __init__(self, start: Path) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._start = start

    async def get_suggestion(self, value: str) -> str | None:
        return complete_path(value, self._start)


def complete_path(value: str, start: Path) -> str | None:
    """`value` completed to the first entry (sorted, hidden ones only when asked for) it begins."""
    if not value:
        return None
    typed = os.path.expanduser(value)
    folder_part, _, prefix = typed.rpartition("/")
    folder = Path(folder_part or "/") if typed.startswith("/") or folder_part else start
    if not typed.startswith("/") and folder_part:
        folder = start / folder_part
    try:
        with os.scandir(folder) as entries:
            names = []
            for i, entry in enumerate(entries):
                if i >= MAX_LISTED:
                    break
                if entry.name.startswith(prefix) and (
                    prefix.startswith(".") or not entry.name.startswith(".")
                ):
                    names.append((entry.name, entry.is_dir()))
    except OSError:
        return None
    if not names:
        return None
    name, is_dir = sorted(names)[0]
    completed = value[: len(value) - len(prefix)] + name + ("/" if is_dir else "")
    return completed if completed != value else None


class AttachDialog(BaseDialog[tuple[Attachment, ...]]):
    """Pick a file; dismisses with the message's attachments afterwards, or None (unchanged)."""

    DEFAULT_CSS = """
    AttachDialog > Vertical {
        width: 90%;
        max-width: 100;
    }
    AttachDialog .attach--line {
        height: auto;
    }
    AttachDialog #attach-verdict.-blocked {
        color: $text-error;
    }
    AttachDialog #attach-verdict.-ok {
        color: $text-success;
    }
    """

    BINDINGS = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="attach.cancel",
            tooltip="Close; the attachments stay as they were.",
        ),
        Binding(
            "ctrl+r", "shrink", "Shrink", id="attach.shrink", tooltip="Shrink the picture to fit the limit."
        ),
        Binding(
            "ctrl+t", "remove", "Remove", id="attach.remove", tooltip="Remove the files already attached."
        ),
    ]

    def __init__(
        self,
        attached: Sequence[Attachment],
        *,
        from_number: str,
        to_number: str,
        rules: mms.MmsRules,
        media: Media,
        start: Path | None = None,
    ) -> None:
        super().__init__()
        self._attached = tuple(attached)
        self._from = from_number
        self._to = to_number
        self._rules = rules
        self._media = media
        self._start = start or Path.cwd()
        #: the file the path names, once it is one (or its shrunk copy)
        self.candidate: Attachment | None = None
        self.shrunk: Shrunk | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content("Attach a file (MMS)"), classes="attach--line")
            yield Static(Content(self.limits_text()), id="attach-limits", classes="attach--line dialog--hint")
            yield Static(self._attached_content(), id="attach-current", classes="attach--line")
            yield Input(
                placeholder="Path of the file (→ completes)",
                suggester=PathSuggester(self._start),
                id="attach-path",
            )
            yield Static(Content(""), id="attach-verdict", classes="attach--line")
            yield Static(
                Content("enter attach · ctrl+r shrink a picture · ctrl+t remove attached · esc cancel"),
                classes="attach--line dialog--hint",
            )

    def on_mount(self) -> None:
        self.query_one("#attach-path", Input).focus()

    # -- what the lines say ------------------------------------------------------------------

    def limits_text(self) -> str:
        limit = mms.size_text(mms.max_bytes(self._from, self._rules))
        where = ", ".join(country_name(c) for c in sorted(self._rules.countries)) or "nowhere"
        return (
            f"Up to {limit} from {mms.number_label(self._from)} · MMS to {where} · "
            "pictures, video, audio, PDF, contact cards"
        )

    def _attached_content(self) -> Content:
        if not self._attached:
            return Content("")
        names = ", ".join(_describe(a) for a in self._attached)
        return Content(f"Attached: {names}")

    def _show(self, text: str, state: str) -> None:
        verdict = self.query_one("#attach-verdict", Static)
        verdict.update(Content(visible(text)))
        verdict.set_class(state == "blocked", "-blocked")
        verdict.set_class(state == "ok", "-ok")

    def problems(self, candidate: Attachment) -> tuple[str, ...]:
        """The sentences that stop this file (with those already attached) from going."""
        issues = mms.check_attachments(
            (*self._attached, candidate), from_number=self._from, to_number=self._to, rules=self._rules
        )
        return tuple(issue.message for issue in issues)

    def _judge(self, candidate: Attachment) -> None:
        line = _describe(candidate)
        if self.shrunk is not None and self.shrunk.attachment == candidate:
            line += " · " + self.shrunk.sentence
        problems = self.problems(candidate)
        if problems:
            self._show(f"{line} — {' '.join(problems)}", "blocked")
        else:
            self._show(f"{line} — enter attaches it.", "ok")

    # -- events and actions ------------------------------------------------------------------

    @on(Input.Changed, "#attach-path")
    def _changed(self, event: Input.Changed) -> None:
        self.shrunk = None
        self.candidate = None
        path = self._path(event.value)
        if path is None or not path.is_file():
            self._show("", "")
            return
        try:
            self.candidate = attachment_for(path)
        except MediaError as exc:
            self._show(str(exc), "blocked")
            return
        self._judge(self.candidate)

    def _path(self, value: str) -> Path | None:
        value = value.strip()
        if not value:
            return None
        path = Path(os.path.expanduser(value))
        return path if path.is_absolute() else self._start / path

    @on(Input.Submitted, "#attach-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = self._path(event.value)
        if path is None:
            self._show("Type the path of a file to attach (→ completes it).", "blocked")
            return
        if self.candidate is None:
            try:
                self.candidate = attachment_for(path)
            except MediaError as exc:
                self._show(str(exc), "blocked")
                return
        problems = self.problems(self.candidate)
        if problems:
            self._judge(self.candidate)
            return
        self.dismiss((*self._attached, self.candidate))

    def action_shrink(self) -> None:
        candidate = self.candidate
        if candidate is None:
            self._show("Pick a picture first.", "blocked")
            return
        if candidate.content_type not in mms.SHRINKABLE_TYPES:
            self._show(
                "Only a JPEG, PNG, BMP or TIFF picture can be shrunk; "
                f"this is {candidate.content_type or 'not one'}.",
                "blocked",
            )
            return
        room = mms.max_bytes(self._from, self._rules) - mms.total_size(self._attached)
        if room <= 0:
            self._show("The files already attached fill the limit: remove them first (ctrl+t).", "blocked")
            return
        self._show(f"Shrinking {one_line(candidate.filename)}…", "")
        self._shrink(candidate, room)

    @work(thread=True, exclusive=True, group="attach-shrink", exit_on_error=False)
    def _shrink(self, candidate: Attachment, room: int) -> None:
        try:
            shrunk = self._media.shrink(candidate, room)
        except MediaError as exc:
            self.app.call_from_thread(self._show, str(exc), "blocked")
            return
        self.app.call_from_thread(self._shrunk, shrunk)

    def _shrunk(self, shrunk: Shrunk) -> None:
        self.shrunk = shrunk
        self.candidate = shrunk.attachment
        self._judge(shrunk.attachment)

    def action_remove(self) -> None:
        if not self._attached:
            self._show("Nothing is attached.", "")
            return
        self.dismiss(())


def _describe(attachment: Attachment) -> str:
    """`📷 roof.jpg · 812 KB` (the name as one safe line)."""
    icon, size = mms.icon(attachment.content_type), mms.size_text(attachment.size)
    return f"{icon} {one_line(attachment.filename)} · {size}"
