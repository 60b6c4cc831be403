"""Files kept beside this package's bytecode (`__pycache__`), as Python keeps `.pyc` files there:
what start-up would otherwise compute again at every start (`dataclass_cache`, `ui.css_cache`).

Written only where bytecode is (not with PYTHONDONTWRITEBYTECODE), atomically (a process reading
meanwhile sees the old file or the new), and never an error: where the folder cannot be written
(a read-only install) the next start computes what it needs, as without the file."""

from __future__ import annotations

import os
import sys
from importlib.util import cache_from_source
from pathlib import Path


def beside(module_file: str, stem: str, suffix: str) -> Path | None:
    """`<__pycache__ of module_file>/<stem>.<interpreter tag>.<suffix>` (sys.pycache_prefix is
    honoured), or None where Python keeps no bytecode."""
    tag = sys.implementation.cache_tag
    if tag is None:
        return None
    return Path(cache_from_source(module_file)).with_name(f"{stem}.{tag}.{suffix}")


def write(path: Path, data: bytes) -> bool:
    """Replace `path` with `data`; False when bytecode writing is off or the folder refuses."""
    if sys.dont_write_bytecode:
        return False
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return False
    return True


class KeptTable:
    """A table kept beside the bytecode at `path`: `save()` writes `dumps()` when something new
    went in since it was read or last written (`new`), unless bytecode writing is off."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.new = 0

    def dumps(self) -> bytes:
        raise NotImplementedError

    def save(self) -> None:
        if self.path is None or not self.new or sys.dont_write_bytecode:
            return  # (checked before `dumps`: serialising it would be work for nothing)
        if write(self.path, self.dumps()):
            self.new = 0
