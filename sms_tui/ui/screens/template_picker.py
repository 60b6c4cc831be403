"""Template picker: type to filter, see the template rendered for this lead, Enter inserts it.

Names and template text are data (a template may well contain "[Offer]"): every string
reaches the screen as `Content`, never markup. The preview marks where a value is missing
or a variable is unknown, because `core.templates.render` leaves those spots blank and a
blank is easy to miss in a sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from sms_tui.core import mms
from sms_tui.core.models import Template
from sms_tui.core.segments import analyze
from sms_tui.core.templates import Rendered, render
from sms_tui.ui.screens.dialog import BaseDialog
from sms_tui.ui.text import Safe, safe, safe_content

TemplateContext = Mapping[str, Mapping[str, str | None]]

#: Private-use brackets around a variable path in the preview-only render; never in real text.
_OPEN, _CLOSE = "\ue000", "\ue001"
#: Enough to fill a wide terminal; CSS `text-overflow: ellipsis` cuts it to the real width.
_SNIPPET = 200


class TemplatePicker(BaseDialog[str]):
    """Choose a template; dismisses with the text rendered for the lead, or None."""

    DEFAULT_CSS = """
    TemplatePicker > Vertical {
        width: 90%;
        max-width: 110;
        max-height: 90%;
    }
    TemplatePicker #template-list {
        height: auto;
        max-height: 16;
        min-height: 3;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    TemplatePicker #template-preview {
        height: auto;
        max-height: 12;
        border: round $secondary;
        padding: 0 1;
    }
    TemplatePicker .template--line {
        height: auto;
    }
    TemplatePicker #template-flags {
        color: $text-warning;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="templates.cancel", tooltip="Close without inserting."),
        Binding("down", "move(1)", "Next", show=False, id="templates.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="templates.previous"),
    ]

    def __init__(
        self,
        templates: Sequence[Template],
        context: TemplateContext,
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own keyword
    ) -> None:
        super().__init__(name=name, id=id)
        self._templates = [t for t in templates if t.is_active]
        self._ctx = context
        self._shown: list[Template] = list(self._templates)
        #: The template the rep chose (its attachments come with its text), once chosen.
        self.chosen: Template | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Input(placeholder="Type to filter templates", id="template-filter")
            yield OptionList(id="template-list")
            yield Static(id="template-preview")
            yield Static(classes="template--line", id="template-info")
            yield Static(classes="template--line", id="template-flags")
            yield Static(
                Content("↑/↓ choose · Enter insert · Esc cancel"),
                classes="template--line dialog--hint",
                id="template-hint",
            )

    def on_mount(self) -> None:
        self._apply_filter("")
        self.query_one("#template-filter", Input).focus()

    # -- filtering ---------------------------------------------------------------------

    @on(Input.Changed, "#template-filter")
    def _on_filter(self, event: Input.Changed) -> None:
        self._apply_filter(event.value)

    def _apply_filter(self, query: str) -> None:
        words = query.casefold().split()
        self._shown = [
            t for t in self._templates if all(w in f"{t.name}\n{t.text}".casefold() for w in words)
        ]
        option_list = self.query_one("#template-list", OptionList)
        option_list.set_options(_option(t) for t in self._shown)
        option_list.border_title = f"Templates ({len(self._shown)}/{len(self._templates)})"
        if self._shown:
            option_list.highlighted = 0
        self._show_preview()

    def action_move(self, delta: int) -> None:
        option_list = self.query_one("#template-list", OptionList)
        if delta > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    @on(OptionList.OptionHighlighted, "#template-list")
    def _on_highlighted(self) -> None:
        self._show_preview()

    # -- preview ------------------------------------------------------------------------

    @property
    def current(self) -> Template | None:
        index = self.query_one("#template-list", OptionList).highlighted
        if index is None or not 0 <= index < len(self._shown):
            return None
        return self._shown[index]

    def _show_preview(self) -> None:
        preview = self.query_one("#template-preview", Static)
        info = self.query_one("#template-info", Static)
        flags = self.query_one("#template-flags", Static)
        template = self.current
        if template is None:
            text = "No templates yet." if not self._templates else "No template matches the filter."
            preview.update(Content(text))
            info.update(Content(""))
            flags.update(Content(""))
            flags.display = False
            return
        rendered = render(template.text, self._ctx)
        preview.border_title = safe_content(safe(template.name, one_line=True))  # a str is markup
        preview.update(_marked_preview(template.text, rendered, self._ctx))
        segments = analyze(rendered.text)
        noun = "segment" if segments.segments == 1 else "segments"
        files = "".join(
            f" · {mms.icon(a.content_type)} {safe(a.filename, one_line=True)} {mms.size_text(a.size)}"
            for a in template.attachments
        )  # a Close template's attachments come with it (an MMS)
        info.update(
            Content(
                f"Rendered for this lead: {segments.segments} {noun} · {segments.encoding} · "
                f"{segments.chars} chars{files}"
            )
        )
        flag_lines = _flags(rendered)
        flags.update(flag_lines)
        flags.display = bool(flag_lines.plain)

    # -- finishing ----------------------------------------------------------------------

    @on(Input.Submitted, "#template-filter")
    @on(OptionList.OptionSelected, "#template-list")
    def _on_chosen(self) -> None:
        template = self.current
        if template is None:
            return
        self.chosen = template
        self.dismiss(render(template.text, self._ctx).text)


def _option(template: Template) -> Option:
    snippet = template.text[: _SNIPPET * 4]  # a 10k-character body is not scanned whole per row
    return _option_content(safe(template.name, one_line=True), safe(snippet, one_line=True))


def _option_content(name: Safe, snippet: Safe) -> Option:
    if len(snippet) > _SNIPPET:
        snippet = Safe(snippet[: _SNIPPET - 1] + "…")
    return Option(Content.assemble((name, "bold"), "  ", (snippet, "dim")))


def _marked_preview(template: str, rendered: Rendered, context: TemplateContext) -> Content:
    """The rendered text with ⟨path⟩ markers where a value is missing or a variable unknown."""
    holes = [*rendered.missing, *rendered.unknown]
    if not holes:
        return safe_content(safe(rendered.text))
    filled: dict[str, dict[str, str | None]] = {k: dict(v) for k, v in context.items()}
    for path in holes:
        head, _, rest = path.partition(".")
        filled.setdefault(head, {})[rest] = f"{_OPEN}{path}{_CLOSE}"
    marked = render(template, filled).text
    parts: list[str | tuple[str, str]] = []
    for chunk in marked.split(_OPEN):
        path, sep, tail = chunk.partition(_CLOSE)
        if sep:
            style = "reverse $text-error" if path in rendered.unknown else "reverse $text-warning"
            parts.append((f"⟨{safe(path, one_line=True)}⟩", style))
            parts.append(safe(tail))
        else:
            parts.append(safe(chunk))
    return Content.assemble(*parts)


def _flags(rendered: Rendered) -> Content:
    lines: list[str] = []  # variable paths come from the template: outside text
    if rendered.missing:
        lines.append("⚠ No value for " + ", ".join(rendered.missing) + " — it will be left blank.")
    if rendered.unknown:
        lines.append("⚠ Unknown variable " + ", ".join(rendered.unknown) + " — it will be left blank.")
    if rendered.malformed:
        lines.append(
            "⛔ Template syntax left in the text: "
            + ", ".join(rendered.malformed)
            + " — fix it before sending."
        )
    if rendered.defaulted:
        lines.append("Default used for " + ", ".join(rendered.defaulted) + ".")
    return safe_content(safe("\n".join(lines)))
