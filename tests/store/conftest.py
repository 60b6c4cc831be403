"""Fixtures for the store tests: a file-backed cache (WAL needs a file) and a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sms_tui.core.models import Contact, ContactPhone, Lead, LeadRow
from sms_tui.store import Store

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cache.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store.open(db_path)
    yield s
    s.close()


def make_lead(
    n: int,
    name: str | None = None,
    *,
    phone: str | None = None,
    contact: str = "Pat Doe",
    created: datetime | None = None,
) -> Lead:
    first, _, last = contact.partition(" ")
    return Lead(
        id=f"lead_{n}",
        display_name=name or f"Company {n}",
        contacts=(
            Contact(
                id=f"cont_{n}",
                lead_id=f"lead_{n}",
                name=contact,
                first_name=first,
                last_name=last,
                phones=(ContactPhone(phone or f"+1650555{n:04d}", "mobile"),),
            ),
        ),
        date_created=created or NOW - timedelta(days=30),
    )


def sms(
    remote_id: str,
    lead: int,
    *,
    status: str = "inbox",
    text: str = "hello",
    at: datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A Close SMS object as the provider returns it."""
    when = at or NOW - timedelta(hours=1)
    data: dict[str, Any] = {
        "_type": "SMS",
        "id": remote_id,
        "organization_id": "orga_1",
        "lead_id": f"lead_{lead}",
        "contact_id": f"cont_{lead}",
        "direction": "inbound" if status == "inbox" else "outbound",
        "status": status,
        "source": "Close.io",
        "text": text,
        "date_created": when.isoformat(),
        "date_updated": when.isoformat(),
        "local_phone": "+14155550100",
        "remote_phone": f"+1650555{lead:04d}",
        "users": [],
        "error_message": "Error 30007" if status == "error" else None,
    }
    data.update(extra)
    return data


def lead_row(store: Store, lead_id: str) -> LeadRow:
    row = store.lead_row(lead_id)
    assert row is not None, f"{lead_id} has no row"
    return row
