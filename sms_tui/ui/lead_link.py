"""The lead's page in Close (`html_url`): open it in the browser, or copy it where no browser can
show it, and say which. Textual-free: the details panel hands in the opener and the environment.

A browser is tried only where one can appear beside the terminal: macOS and Windows, or a Linux
desktop session (DISPLAY / WAYLAND_DISPLAY) that is not an SSH login. Elsewhere `webbrowser` would
start a text browser (lynx, w3m) inside the very terminal the app is drawing in, so the link is
copied instead (OSC 52 through Textual), which reaches the rep's own clipboard even over SSH.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Literal

LinkAction = Literal["open", "copy"]


def web_url(url: str) -> str | None:
    """`url` when it is a plain http(s) link with nothing but printable ASCII in it (the value is
    Close's, i.e. data: no control, space or `javascript:` ever reaches a browser or the clipboard)."""
    if not url.startswith(("https://", "http://")):
        return None
    if not all(33 <= ord(ch) < 127 for ch in url) or len(url) > 2000:
        return None
    return url


def link_action(env: Mapping[str, str], platform: str = sys.platform) -> LinkAction:
    """Open in a browser where one can show up beside the terminal; otherwise copy."""
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return "copy"
    if platform == "darwin" or platform.startswith("win"):
        return "open"
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return "open"
    return "copy"
