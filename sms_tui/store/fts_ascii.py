"""One message's free-text match computed from its text, for ASCII text: what `messages_fts MATCH
'"<phrase>"*'` says about that one row, without FTS5.

Why: a prefix term (`the` is searched as `"the"*`) cannot be tested against one row in FTS5 (3.40):
every probe merges the doclists of every word it starts (~50 ms for `the*` on a 1M-message
cache), so a common word's plan read the whole hit set first (~200 ms for `the`) before the first
page. On ASCII text the `unicode61` tokenizer makes tokens of the runs of [A-Za-z0-9] and folds
their case; a phrase matches where its tokens follow one another, the last one as a prefix unless
the term was quoted. `fts_ascii(text, pattern)` answers exactly that (1 / 0), and NULL for any
other text, which the SQL then hands to FTS5 (see search_sql.lead_text).
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache

FUNCTION = "fts_ascii"
_TOKEN = "A-Za-z0-9"


def pattern_of(value: str, *, prefix: bool) -> str | None:
    """The regular expression for the phrase `value` (None if `value` is not ASCII: then FTS5)."""
    if not value.isascii():
        return None
    tokens = re.findall(f"[{_TOKEN}]+", value)
    if not tokens:
        return None
    body = f"[^{_TOKEN}]+".join(tokens)  # tokens are letters and digits: nothing to escape
    return f"(?<![{_TOKEN}]){body}" + ("" if prefix else f"(?![{_TOKEN}])")


@lru_cache(maxsize=32)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.ASCII)


def fts_ascii(text: object, pattern: str) -> int | None:
    """1 if the ASCII `text` matches `pattern` (from `pattern_of`), 0 if not; None for other text."""
    if text is None:
        return 0  # FTS5 indexes nothing for a NULL text
    if not isinstance(text, str) or not text.isascii():
        return None
    return 1 if _compiled(pattern).search(text) else 0


#: Messages looked at to estimate how many match a phrase: SAMPLE_RUNS runs of SAMPLE_RUN
#: consecutive ids, spread evenly over the ids (not the newest: one long conversation can fill
#: those). About 1,000 tests: LIKE in C, `fts_ascii` only where LIKE passes.
SAMPLE_RUNS, SAMPLE_RUN = 20, 50
#: (sampled, matching) for ?1 = the largest message id, ?2 = a LIKE pattern, ?3 = a `pattern_of`.
SAMPLE_SQL = (
    f"WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < {SAMPLE_RUNS - 1}) "
    "SELECT count(*), coalesce(sum(CASE WHEN m.text LIKE ?2 THEN "
    f"{FUNCTION}(m.text, ?3) = 1 ELSE 0 END), 0) FROM k JOIN messages m "
    f"ON m.local_id >= ?1 * k.i / {SAMPLE_RUNS} AND m.local_id < ?1 * k.i / {SAMPLE_RUNS} + {SAMPLE_RUN}"
)


def register(conn: sqlite3.Connection) -> None:
    conn.create_function(FUNCTION, 2, fts_ascii, deterministic=True)
