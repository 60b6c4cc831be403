"""A deterministic organization of any size (`sms-tui carrier --leads N --sms M --users K`).

Built straight into the carrier's tables in bulk (no per-record events or jobs), so 100k leads and
1M SMS take well under a minute and land in `--db` once. What it holds, drawn from
`random.Random(f"{seed}:scale")`:

- K users (the first an admin, then every tenth; u5, u11, … have no event-log access), each with a personal US
  number; a group number per five users (their `participants`); one external number; a GB number
  for the admin.
- N leads created over the last two years with one to three contacts; contacts with one or two
  phones: mobiles, office landlines and now and then a wrong number (type `other`); about 1% of
  phones opted out (`outbound_sms_blocked`).
- M SMS spread over the leads (a few leads hold long threads), dated between the lead's creation
  and now: outbound `sent` (some `error` with a reason), inbound `inbox`; texts from the demo's
  pools. SMS and leads of the last 30 days also appear in the event log (`created`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sms_tui.carrier import demo_data, demo_history, outcomes, replies, team
from sms_tui.carrier.records import iso, naive_iso
from sms_tui.carrier.state import CarrierState
from sms_tui.carrier.storage import Record, public

if TYPE_CHECKING:
    from sms_tui.carrier.engine import Carrier

YEARS = 2
AREAS = ("212", "415", "646", "312", "617", "512", "303", "206", "404", "305", "702", "213", "917", "718")
_ERRORS = ("unreachable", "landline", "unknown_handset", "blocked", "spam")


@dataclass(frozen=True)
class OrgSpec:
    leads: int
    sms: int
    users: int = 5

    @property
    def key(self) -> str:
        return f"scale:{self.leads}:{self.sms}:{self.users}"


def _us_number(rng: random.Random) -> tuple[str, str]:
    area, exchange, line = rng.choice(AREAS), rng.randrange(200, 1000), rng.randrange(10_000)
    if exchange == 555:
        exchange = 556
    return f"+1{area}{exchange}{line:04d}", f"+1 {area}-{exchange}-{line:04d}"


def _national(e164: str) -> str:
    """`+1 212-555-0100` for a NANP number in E.164."""
    return f"+1 {e164[2:5]}-{e164[5:8]}-{e164[8:]}"


def _team(carrier: Carrier, spec: OrgSpec, now: datetime) -> tuple[list[Record], dict[str, str]]:
    """Users and numbers; returns the users and each user's personal number."""
    state = carrier.state
    org_id = state.new_id("orga")
    created = now - timedelta(days=365 * YEARS + 30)
    team.make_org(carrier, org_id, created)
    rng = random.Random(f"{carrier.seed}:scale:team")
    members = [team.DEMO_TEAM[0]] + [
        team.Member(
            rng.choice(demo_data.FIRST),
            rng.choice(demo_data.LAST),
            "admin" if i % 10 == 0 else "member",
            event_log=i % 6 != 5,
            key_name=f"u{i}",
        )
        for i in range(1, spec.users)
    ]
    users = [team.make_user(carrier, m, org_id, created) for m in members]
    numbers = [
        team.Number(f"+1650333{4444 + i:04d}"[:12], f"{u['first_name']}'s line", (i,))
        for i, u in enumerate(users)
    ]
    numbers.append(team.Number("+442071838750", "London office", (0,)))
    for g in range(0, len(users), 5):
        group = tuple(range(g, min(g + 5, len(users))))
        numbers.append(team.Number(f"+1650334{5500 + g:04d}"[:12], f"Team {g // 5 + 1}", group, group=True))
    numbers.append(team.Number("+14155238886", "Alex's cell", (0,), kind="external"))
    for number in numbers:
        team.make_number(carrier, number, users, org_id, created, now)
    for name, text in demo_data.TEMPLATES:
        tid = state.new_id("smstmpl")
        uid = users[0]["id"]
        state.put(
            "sms_template",
            {"id": tid, "name": name, "text": text, "is_shared": True, "status": "active", "owned_by": uid,
             "created_by": uid, "updated_by": uid, "organization_id": org_id,
             "date_created": naive_iso(created), "date_updated": naive_iso(created), "attachments": []},
        )  # fmt: skip
    return users, {u["id"]: numbers[i].number for i, u in enumerate(users)}


def build_org(carrier: Carrier, spec: OrgSpec) -> None:
    """Fill an empty carrier with a generated organization of `spec`'s size."""
    state = carrier.state
    now = carrier.now()
    users, personal = _team(carrier, spec, now)
    org_id = carrier.organization()["id"]
    status_id = carrier.organization()["_x_status_id"]
    rng = random.Random(f"{carrier.seed}:scale")
    recent = naive_iso(now - timedelta(days=30))
    span = 365 * YEARS * 86400.0
    state.meta["building"] = spec.key  # cleared when done: a build killed half-way is refused later
    state.flush()
    state.drop_indexes()
    leads: list[tuple[str, float, str, str, str]] = []  # id, created (s ago), contact id, phone, name
    opt_outs: list[str] = []
    events: list[Record] = []

    def event(obj: Record, object_type: str, at: datetime, lead_id: str, user_id: str | None) -> None:
        if naive_iso(at) >= recent:
            if len(events) >= 5000:  # written as they come (numbered in date order at the end)
                state.bulk_insert("event", events)
                events.clear()
            events.append(
                {"id": state.bulk_id("ev"), "date_created": naive_iso(at), "date_updated": naive_iso(at),
                 "organization_id": org_id, "user_id": user_id, "request_id": state.bulk_id("req"),
                 "api_key_id": None, "object_type": object_type, "object_id": obj["id"], "lead_id": lead_id,
                 "action": "created", "changed_fields": [], "data": public(obj), "previous_data": {},
                 "meta": {}, "_x_seq": 0}
            )  # fmt: skip

    def lead_rows() -> Any:
        for i in range(spec.leads):
            ago = rng.random() * span
            at = now - timedelta(seconds=ago)
            owner = users[rng.randrange(len(users))]
            name = f"{rng.choice(demo_data.COMPANY_A)} {rng.choice(demo_data.COMPANY_B)} {i}"
            lead_id = state.bulk_id("lead")
            lead: Record = {
                "id": lead_id, "display_name": name, "name": name, "organization_id": org_id,
                "status_id": status_id, "status_label": "Potential", "description": "", "url": None,
                "html_url": f"https://app.close.com/lead/{lead_id}/", "source": None,
                "date_created": iso(at), "date_updated": iso(at), "created_by": owner["id"],
                "created_by_name": f"{owner['first_name']} {owner['last_name']}", "updated_by": owner["id"],
                "updated_by_name": f"{owner['first_name']} {owner['last_name']}", "addresses": [],
                "opportunities": [], "tasks": [], "integration_links": [], "custom": {},
            }  # fmt: skip
            event(lead, "lead", at, lead_id, owner["id"])
            first_phone = ""
            for c in range(rng.choice((1, 1, 1, 2, 2, 3))):
                first, last = rng.choice(demo_data.FIRST), rng.choice(demo_data.LAST)
                phones = []
                for p in range(rng.choice((1, 1, 1, 2))):
                    number, formatted = _us_number(rng)
                    kind = "mobile" if p == 0 else rng.choice(("office", "office", "other"))
                    phones.append(
                        {"phone": number, "phone_formatted": formatted, "type": kind, "country": "US"}
                    )
                    if rng.random() < 0.01:
                        opt_outs.append(f"{personal[owner['id']]}|{number}")
                contact: Record = {
                    "id": state.bulk_id("cont"), "lead_id": lead_id, "organization_id": org_id,
                    "name": f"{first} {last}", "display_name": f"{first} {last}", "title": "",
                    "emails": [{"email": f"{first.lower()}{i}@example.com", "type": "office",
                                "is_unsubscribed": False}],
                    "phones": phones, "urls": [], "integration_links": [], "timezone": None,
                    "date_created": iso(at), "date_updated": iso(at), "created_by": owner["id"],
                    "updated_by": owner["id"], "_x_first_name": first, "_x_last_name": last,
                }  # fmt: skip
                event(contact, "contact", at, lead_id, owner["id"])
                if c == 0:
                    first_phone = phones[0]["phone"]
                    leads.append((lead_id, ago, contact["id"], first_phone, first))
                yield "contact", contact
            yield "lead", lead

    pending: dict[str, list[Record]] = {"lead": [], "contact": []}
    for coll, record in lead_rows():
        pending[coll].append(record)
        if len(pending[coll]) >= 5000:
            state.bulk_insert(coll, pending[coll])
            pending[coll].clear()
    for coll, rows in pending.items():
        state.bulk_insert(coll, rows)
    state.bulk_rows("sms", _sms_rows(carrier, spec, rng, leads, users, personal, now, event))
    state.bulk_insert("event", events)
    events.clear()
    _number_events(state)
    state.meta["opt_outs"] = opt_outs
    state.meta["landlines"] = []
    state.meta["org"] = spec.key
    state.create_indexes()
    state.meta.pop("building", None)
    state.conn.execute("DELETE FROM meta WHERE key = 'building'")
    state.flush()


def _number_events(state: CarrierState) -> None:
    """Give the generated events their sequence numbers in date order (newest first is seq DESC),
    in the table and in each stored record, in one statement."""
    base = int(state.meta.get("seq", 0))
    state.conn.execute(
        "UPDATE event SET seq = numbered.n + ?, data = json_set(data, '$._x_seq', numbered.n + ?)"
        " FROM (SELECT rid, row_number() OVER (ORDER BY date_updated, rid) AS n FROM event) AS numbered"
        " WHERE event.rid = numbered.rid",
        (base, base),
    )
    state.meta["seq"] = base + state.count("event")


def _sms_rows(
    carrier: Carrier,
    spec: OrgSpec,
    rng: random.Random,
    leads: list[tuple[str, float, str, str, str]],
    users: list[Record],
    personal: dict[str, str],
    now: datetime,
    event: Any,
) -> Iterator[tuple[Any, ...]]:
    """Rows for the `sms` table: (id, lead_id, contact_id, user_id, date_created, activity_at,
    date_updated, status, data). The JSON is written from a template (every value but the texts is
    plain ASCII; texts come from fixed pools, encoded once; the per-user and per-lead parts are
    written once each), several times cheaper than json.dumps."""
    state = carrier.state
    org_id = carrier.organization()["id"]
    pool_out = [*demo_history.OPENERS, *demo_history.FOLLOW_UPS]
    pool_in = [json.dumps(t) for t in (*replies.QUESTIONS, *replies.YESES, *replies.NOES, *replies.EMOJI)]
    errors = [json.dumps(outcomes.message(reason)) for reason in _ERRORS]
    costs: dict[str, tuple[str, str]] = {}
    who: list[tuple[str, str, str]] = []  # (user id, the user part, the local-phone part)
    for user in users:
        uid, local = user["id"], personal[user["id"]]
        name = json.dumps(f"{user['first_name']} {user['last_name']}")
        who.append(
            (
                uid,
                f'"user_id": "{uid}", "user_name": {name}, "created_by": "{uid}", "created_by_name": {name}, '
                f'"updated_by": "{uid}", "updated_by_name": {name}, ',
                f'"local_phone": "{local}", "local_phone_formatted": "{_national(local)}", '
                f'"local_country_iso": "US", ',
            )
        )
    parts: dict[str, tuple[str, str]] = {}  # lead id -> (the lead part, the remote-phone part)
    if not leads:
        return
    n = len(leads)
    epoch = now.timestamp()
    recent = epoch - 30 * 86400
    head = '{"_type": "SMS", "id": "'
    org = f'", "organization_id": "{org_id}", '
    for _ in range(spec.sms):
        lead_id, ago, contact_id, phone, first = leads[int(n * rng.random() ** 3)]  # a few long threads
        part = parts.get(lead_id)
        if part is None:
            part = parts[lead_id] = (
                f'"lead_id": "{lead_id}", "contact_id": "{contact_id}", ',
                f'"remote_phone": "{phone}", "remote_phone_formatted": "{_national(phone)}", '
                f'"remote_country_iso": "US", ',
            )
        ts = epoch - rng.random() * ago
        stamp = datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds")
        uid, user_part, local_part = who[rng.randrange(len(who))]
        sms_id = state.bulk_id("acti")
        if rng.random() < 0.4:
            kind = '"direction": "inbound", "status": "inbox", "source": "External", "text": '
            status, text, sent, cost, error = "inbox", rng.choice(pool_in), "null", "null", "null"
        else:
            raw = rng.choice(pool_out).format(first=first)
            if raw not in costs:
                costs[raw] = (json.dumps(raw), json.dumps(outcomes.cost(raw, "US")))
            text, cost = costs[raw]
            sent = f'"{stamp}"'
            if rng.random() < 0.03:
                status, error = "error", rng.choice(errors)
            else:
                status, error = "sent", "null"
            kind = f'"direction": "outbound", "status": "{status}", "source": "Close.io", "text": '
        data = (
            f'{head}{sms_id}{org}{part[0]}{user_part}"date_created": "{stamp}", "date_updated": "{stamp}", '
            f'"activity_at": "{stamp}", "date_scheduled": null, "date_sent": {sent}, {kind}{text}, '
            f'"template_id": null, "error_message": {error}, "cost": {cost}, {local_part}{part[1]}'
            f'"users": ["{uid}"], "attachments": [], "sequence_id": null, "sequence_name": null, '
            f'"sequence_subscription_id": null, "_x_gen": 0}}'
        )
        if ts >= recent:
            event(json.loads(data), "activity.sms", datetime.fromtimestamp(ts, UTC), lead_id, uid)
        yield (sms_id, lead_id, contact_id, uid, stamp, stamp, stamp, status, data)
