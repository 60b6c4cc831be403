"""The bulk preview pauses the cyclic collector while it builds its objects, and always resumes it."""

from __future__ import annotations

import gc

import pytest

from sms_tui.ui import gc_pause


def test_nested_pauses_resume_the_collector_only_when_the_last_ends() -> None:
    assert gc.isenabled()
    with gc_pause.paused():
        assert not gc.isenabled()
        with gc_pause.paused():  # the read-ahead and the preview at once
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_failure_inside_still_resumes_it() -> None:
    with pytest.raises(RuntimeError), gc_pause.paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with gc_pause.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
