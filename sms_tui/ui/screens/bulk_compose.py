"""Bulk compose: write the text once (or take a template), with merge fields, for every marked lead.

The text is kept by the inbox (`keep_text`) so Escape loses nothing; ctrl+j goes to the preview,
unless the text is empty, longer than Close accepts, or no lead is marked: then a line says why and
the text stays. Template names and bodies are data: they reach the screen through the safe path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from sms_tui.core.campaign import MAX_TEXT_CHARS, compose_problem
from sms_tui.core.models import Template
from sms_tui.core.segments import analyze
from sms_tui.core.templates import variables
from sms_tui.ui.text import one_line, safe
from sms_tui.ui.widgets.composer_input import ComposerInput
from sms_tui.ui.widgets.steady_footer import SteadyFooter

MERGE_HINT = "Merge fields: {{ contact.first_name }} {{ lead.display_name }} {{ user.first_name }} …"


class BulkComposeScreen(Screen[None]):
    """One text for every marked lead; ctrl+j previews what each one would receive."""

    DEFAULT_CSS = """
    BulkComposeScreen > Vertical { padding: 0 1; }
    BulkComposeScreen #bulk-title { text-style: bold; height: 1; }
    BulkComposeScreen #bulk-text { height: 8; min-height: 4; }
    BulkComposeScreen .bulk--line { height: auto; color: $text-muted; }
    BulkComposeScreen #bulk-error { color: $text-error; height: auto; }
    BulkComposeScreen #bulk-templates {
        height: auto; max-height: 10; border: round $secondary; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    BINDINGS = [
        Binding("ctrl+j,alt+enter,ctrl+enter", "preview", "Preview", priority=True, id="bulk.preview"),
        Binding("ctrl+t", "templates", "Templates", id="bulk.templates"),
        Binding("escape", "back", "Back", id="bulk.back"),
    ]

    def __init__(
        self,
        lead_ids: Sequence[str],
        templates: Sequence[Template],
        *,
        text: str = "",
        template_id: str | None = None,
        on_preview: Callable[[BulkComposeScreen, str, str | None], None],
        keep_text: Callable[[str, str | None], None],
    ) -> None:
        super().__init__()
        self.lead_ids = list(lead_ids)
        self.templates = [t for t in templates if t.is_active]
        self.template_id = template_id
        self._text = text
        self._on_preview = on_preview
        self._keep_text = keep_text

    def compose(self) -> ComposeResult:
        n = len(self.lead_ids)
        with Vertical():
            yield Static(f"Bulk text to {n:,} marked lead{'s' if n != 1 else ''}", id="bulk-title")
            yield ComposerInput(self._text, id="bulk-text", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="bulk-counter", classes="bulk--line")
            yield Static(MERGE_HINT, classes="bulk--line")
            yield Static("", id="bulk-error")
            options = [Option(safe_label(t), id=t.id) for t in self.templates]
            picker = OptionList(*options, id="bulk-templates")
            picker.border_title = "Templates (ctrl+t, enter to use)"
            picker.display = bool(options)
            yield picker
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#bulk-text", TextArea).focus()
        self._count()

    @property
    def text(self) -> str:
        return self.query_one("#bulk-text", TextArea).text

    @on(TextArea.Changed, "#bulk-text")
    def _changed(self) -> None:
        self._count()
        self.query_one("#bulk-error", Static).update("")

    def _count(self) -> None:
        text = self.text
        info = analyze(text)
        fields = variables(text)
        where = f" · {len(fields)} merge field{'s' if len(fields) != 1 else ''}" if fields else ""
        note = " (before merge fields are filled in)" if fields else ""
        self.query_one("#bulk-counter", Static).update(
            Content(
                f"{info.chars}/{MAX_TEXT_CHARS} · {info.encoding} · {info.segments} segment(s){note}{where}"
            )
        )

    def action_templates(self) -> None:
        picker = self.query_one("#bulk-templates", OptionList)
        if not self.templates:
            self.show_error("There are no templates in Close yet; write the text here.")
            return
        picker.focus()

    @on(OptionList.OptionSelected, "#bulk-templates")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        template = next((t for t in self.templates if t.id == event.option.id), None)
        if template is None:
            return
        self.template_id = template.id
        area = self.query_one("#bulk-text", TextArea)
        area.text = template.text
        area.focus()

    def show_error(self, sentence: str) -> None:
        self.query_one("#bulk-error", Static).update(Content(safe(sentence)))

    def action_preview(self) -> None:
        text = self.text
        problem = compose_problem(text, len(self.lead_ids))
        if problem is not None:
            self.show_error(problem)
            return
        template = next((t for t in self.templates if t.id == self.template_id), None)
        template_id = self.template_id if template is not None and template.text == text else None
        self._keep_text(text, template_id)
        self._on_preview(self, text, template_id)

    def action_back(self) -> None:
        self._keep_text(self.text, self.template_id)
        self.dismiss(None)


def safe_label(template: Template) -> Content:
    """ "Name — first words of the body", both as data."""
    return Content.assemble((one_line(template.name), "bold"), "  ", (one_line(template.text)[:80], "dim"))
