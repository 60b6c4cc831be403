"""`sms-tui segments --json` agrees with Twilio's published segment calculator, case by case.

The fixture is produced by benchmarks/twilio_reference/make_corpus.js running the npm package
sms-segments-calculator (the library behind Twilio's web calculator) - see its README.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from sms_tui.cli import main

FIXTURE = Path(__file__).parent / "data" / "segments_twilio_reference.json"
REFERENCE = json.loads(FIXTURE.read_text(encoding="utf-8"))
ALL_CASES = REFERENCE["cases"]


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


#: Twilio's calculator also counts texts holding a lone surrogate; `sms-tui segments` refuses
#: them (not a character, so not a message anyone can send) and is compared on the rest.
LONE = [case for case in ALL_CASES if _has_lone_surrogate(case["text"])]
CASES = [case for case in ALL_CASES if not _has_lone_surrogate(case["text"])]


@pytest.mark.parametrize("case", LONE, ids=[case["name"] for case in LONE])
def test_a_lone_surrogate_is_refused_not_counted(case):
    result = CliRunner().invoke(main, ["segments", "--json"], input=json.dumps([case["text"]]))
    assert result.exit_code == 2 and "lone surrogate" in result.output


@pytest.fixture(scope="module")
def cli_results() -> dict[str, dict[str, object]]:
    texts = [case["text"] for case in CASES]
    result = CliRunner().invoke(main, ["segments", "--json"], input=json.dumps(texts))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert len(out) == len(CASES)
    return {case["name"]: row for case, row in zip(CASES, out, strict=True)}


def test_the_corpus_is_large_and_made_by_twilios_calculator():
    assert REFERENCE["calculator"].startswith("sms-segments-calculator@")
    assert len(CASES) >= 500 and len(LONE) < 20
    assert len({case["name"] for case in ALL_CASES}) == len(ALL_CASES)


def test_the_corpus_has_cases_where_keeping_clusters_whole_costs_a_segment():
    # Without these, a splitter that cuts emoji in half would agree too.
    costly = [
        case
        for case in CASES
        if case["encoding"] == "UCS-2"
        and case["segments"] > math.ceil(len(case["text"].encode("utf-16-le", "surrogatepass")) / 2 / 67)
    ]
    assert len(costly) >= 20


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_agrees_with_twilio(case, cli_results):
    row = cli_results[case["name"]]
    assert (row["encoding"], row["segments"]) == (case["encoding"], case["segments"])
