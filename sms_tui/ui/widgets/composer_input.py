"""The composer's text field: a soft-wrapping TextArea that marks every character forcing UCS-2.

The mark is what the counter line explains ("… forces UCS-2"); the characters come from the same
cached `core.segments.forcing_chars` the counter uses. The text is shown through the safe path.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import TextArea

from sms_tui.core import segments
from sms_tui.ui.text import editor_line


class ComposerInput(TextArea):
    """A plain-text TextArea that marks every character forcing UCS-2.

    `TextArea.get_line` is the documented hook for extra styling; the mark depends
    only on the line's own characters, so TextArea's line cache stays correct.
    """

    COMPONENT_CLASSES = {"composer-input--ucs2"}
    DEFAULT_CSS = """
    ComposerInput > .composer-input--ucs2 {
        background: $warning 45%;
        text-style: underline;
    }
    """

    def get_line(self, line_index: int) -> Text:
        # The draft may hold outside text (a template, a saved draft): shown through the safe path.
        line = Text(editor_line(self.document.get_line(line_index)), end="", no_wrap=True)
        plain = line.plain
        if plain:
            forcing = segments.forcing_chars(plain)  # cached per line text in core
            if forcing:
                style = self.get_component_rich_style("composer-input--ucs2", partial=True)
                for found in forcing:
                    line.stylize(style, found.index, found.index + 1)
        return line
