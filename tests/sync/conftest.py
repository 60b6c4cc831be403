"""Fixtures: a first-synced cache made once per session, copied for each test; a fresh World."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.sync.harness import World


@pytest.fixture(scope="session")
def synced_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")

    async def first_sync() -> None:
        world = World(folder)
        await world.engine().first_sync()
        await world.aclose()

    asyncio.run(first_sync())
    return folder / "cache.sqlite3"


@pytest.fixture
async def world(tmp_path: Path, synced_cache: Path) -> AsyncIterator[World]:
    w = World(tmp_path)
    w.copy_cache(synced_cache)
    yield w
    await w.aclose()


@pytest.fixture
async def empty_world(tmp_path: Path) -> AsyncIterator[World]:
    w = World(tmp_path)
    yield w
    await w.aclose()
