"""Give a `ScrollView` a new virtual size without a layout of the screen when it can do without.

Setting `virtual_size` lays the whole screen out (most of a frame). While the scrollbar stays as
it was (shown or not) and the width is the same, only the scrollbar's proportions change: the
value is set quietly and the scroll state updated, as the lead list and the conversation do on
every new query, count or lead.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


def set_virtual_size(view: ScrollView, size: Size) -> None:
    if size == view.virtual_size:
        return
    height = view.size.height
    always = view.styles.overflow_y == "scroll"  # the scrollbar shows whatever the size
    same_bar = always or (view.virtual_size.height > height) == (size.height > height)
    if view.is_mounted and height > 0 and same_bar and size.width == view.virtual_size.width:
        view.set_reactive(ScrollView.virtual_size, size)
        view._scroll_update(size)
    else:
        view.virtual_size = size
