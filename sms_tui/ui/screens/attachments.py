"""The conversation's files (key `a`): download and open one, or see a picture in the terminal.

Newest first, each with its icon, name, size, who sent it and when. Enter saves the file into the
download folder (`Settings.download_dir`) and opens it with the system's opener (injected: tests
launch nothing); `p` shows a picture here (terminal graphics where the terminal has them,
half-blocks elsewhere) and in its bubble. Nothing is fetched until the rep asks; what was fetched
is kept (`ui.media.Media`), so asking again costs nothing. File names are outside text: every
line is built from `Content` and the safe path, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sms_tui.core import mms
from sms_tui.core.models import Attachment, Message
from sms_tui.ui import graphics
from sms_tui.ui.media import Media, MediaError, half_blocks, is_picture, media_of
from sms_tui.ui.screens.dialog import BaseDialog
from sms_tui.ui.services import services
from sms_tui.ui.text import clock_time, one_line, visible

#: Lines a picture may take in the dialog.
PREVIEW_ROWS = 14


class AttachmentsDialog(BaseDialog[None]):
    """The files of one conversation; Enter downloads and opens, p previews a picture."""

    DEFAULT_CSS = """
    AttachmentsDialog > Vertical {
        width: 90%;
        max-width: 100;
        max-height: 90%;
    }
    AttachmentsDialog #attachments-list {
        height: auto;
        max-height: 10;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    AttachmentsDialog #attachments-preview {
        height: auto;
        max-height: 16;
    }
    AttachmentsDialog .attachments--line {
        height: auto;
    }
    AttachmentsDialog #attachments-status.-error {
        color: $text-error;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="attachments.close", tooltip="Back to the conversation."),
        Binding(
            "p", "preview", "Preview", id="attachments.preview", tooltip="Show the picture in the terminal."
        ),
    ]

    def __init__(
        self,
        items: Sequence[tuple[Message, Attachment]],
        media: Media,
        *,
        tz: tzinfo,
        now: Callable[[], datetime],
        lead_name: str = "",
        on_preview: Callable[[Attachment, Text], None] | None = None,
        bubble_width: int = 40,
    ) -> None:
        super().__init__()
        self._items = list(items)
        self._media = media
        self._tz = tz
        self._now = now
        self._lead_name = lead_name
        self._on_preview = on_preview
        self._bubble_width = bubble_width
        #: Where the last download went (tests read it).
        self.saved: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            count = len(self._items)
            title = f"{count} file{'s' if count != 1 else ''} in this conversation"
            yield Static(Content(title), classes="attachments--line")
            yield OptionList(*[Option(self._row(m, a)) for m, a in self._items], id="attachments-list")
            yield Static(Content(""), id="attachments-status", classes="attachments--line")
            yield VerticalScroll(id="attachments-preview")
            yield Static(
                Content(f"enter download and open (into {self._media.download_dir}) · p preview · esc close"),
                classes="attachments--line dialog--hint",
            )

    def on_mount(self) -> None:
        options = self.query_one("#attachments-list", OptionList)
        if self._items:
            options.highlighted = 0
        options.focus()

    def _row(self, message: Message, attachment: Attachment) -> Content:
        who = "You" if message.direction == "outbound" else (one_line(self._lead_name) or "Lead")
        when = clock_time(message.date_created, self._tz, self._now())
        return Content(
            f"{mms.icon(attachment.content_type)} {one_line(attachment.filename) or '(no name)'} · "
            f"{mms.size_text(attachment.size)} · {who} · {when}"
        )

    @property
    def current(self) -> Attachment | None:
        index = self.query_one("#attachments-list", OptionList).highlighted
        return self._items[index][1] if index is not None and 0 <= index < len(self._items) else None

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#attachments-status", Static)
        status.update(Content(visible(text)))
        status.set_class(error, "-error")

    # -- download and open ------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#attachments-list")
    def _chosen(self) -> None:
        attachment = self.current
        if attachment is None:
            return
        self._status(f"Downloading {one_line(attachment.filename)}…")
        self._download(attachment)

    @work(thread=True, group="attachments-download", exit_on_error=False)
    def _download(self, attachment: Attachment) -> None:
        try:
            path = self._media.download(attachment)
            self._media.open(path)
        except MediaError as exc:
            self.app.call_from_thread(self._status, str(exc), error=True)
            return
        except OSError as exc:  # the opener could not start
            self.app.call_from_thread(self._status, f"Saved, but could not open it: {exc}", error=True)
            return
        self.app.call_from_thread(self._downloaded, path)

    def _downloaded(self, path: Path) -> None:
        self.saved = path
        self._status(f"Saved to {path} — opened.")

    # -- preview ----------------------------------------------------------------------------------

    def action_preview(self) -> None:
        attachment = self.current
        if attachment is None:
            return
        if not is_picture(attachment):
            self._status("Only pictures are previewed here: enter opens this file.", error=True)
            return
        self._status(f"Loading {one_line(attachment.filename)}…")
        self._load_preview(attachment)

    @work(thread=True, exclusive=True, group="attachments-preview", exit_on_error=False)
    def _load_preview(self, attachment: Attachment) -> None:
        try:
            data = self._media.preview_data(attachment)
            inline = half_blocks(data, self._bubble_width)
        except MediaError as exc:
            self.app.call_from_thread(self._status, str(exc), error=True)
            return
        self.app.call_from_thread(self._show_preview, attachment, data, inline)

    def _show_preview(self, attachment: Attachment, data: bytes, inline: Text) -> None:
        box = self.query_one("#attachments-preview", VerticalScroll)
        box.remove_children()
        width = max(8, min(80, (box.size.width or 60) - 2))
        try:
            box.mount(graphics.picture(data, width, PREVIEW_ROWS))
        except MediaError as exc:
            self._status(str(exc), error=True)
            return
        self._status(
            f"{one_line(attachment.filename)} · {mms.size_text(attachment.size)} · also shown in its bubble"
        )
        if self._on_preview is not None:
            self._on_preview(attachment, inline)


def show_attachments(screen: Any) -> None:
    """Open the dialog for the conversation `screen` (the inbox) shows, or say there is nothing."""
    conversation = screen.conversation
    items = conversation.attachments()
    if not items:
        screen.notify("No attachments in this conversation.", markup=False, timeout=3)
        return
    view = conversation.view
    app = services(screen.app)
    screen.app.push_screen(
        AttachmentsDialog(
            items,
            media_of(screen.app).bind(screen.app),
            tz=app.rep_tz,
            now=app.now,
            lead_name=view.header.name if view is not None else "",
            on_preview=conversation.set_preview,
            bubble_width=conversation.preview_width,
        )
    )
