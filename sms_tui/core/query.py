"""The search language: tokenizer and recursive-descent parser -> AST. Pure; the store compiles it.

    failed_sms > 1                         has:error_sms_messages
    sms(created:today direction:outgoing status:error)
    latest_sms_status:error  is:unread  -is:done  name:"Ann Lee"  phone:6503334444
    created:2026-01-01..2026-01-31  created >= "2026-01-01"  (pricing OR quote) NOT spam

Grammar (implicit AND binds tighter than OR; `AND`, `OR`, `NOT` are upper-case keywords):

    query    := or_expr? EOF
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*
    unary    := ("NOT" | "-") unary | primary
    primary  := "(" or_expr ")" | "sms" "(" or_expr? ")" | WORD OP value | WORD | STRING
    OP       := ":" | ">" | ">=" | "<" | "<=" | "="
    value    := WORD | STRING

Field names and values are kept as written (lower-cased names); meaning is the store's business,
which reports unknown fields through the same QuerySyntaxError with the field's position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Op = Literal[":", ">", ">=", "<", "<=", "="]
_OPS: tuple[Op, ...] = (">=", "<=", ":", ">", "<", "=")
_SPECIAL = set('()":<>=')


class QuerySyntaxError(ValueError):
    """A query the parser (or the compiler) cannot read.

    `position` is the 0-based offset in the query, `expected` what would have been valid there;
    str() reads like "at column 14: expected ')'".
    """

    def __init__(self, message: str, position: int, expected: str) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.expected = expected


# -- AST ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Free text: every word must appear (FTS); `quoted` means an exact phrase."""

    value: str
    quoted: bool = False
    position: int = 0


@dataclass(frozen=True, slots=True)
class Field:
    """`name op value`, e.g. failed_sms > 1, has:draft, created:today."""

    name: str
    op: Op
    value: str
    quoted: bool = False
    position: int = 0
    value_position: int = 0


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node
    position: int = 0


@dataclass(frozen=True, slots=True)
class Sms:
    """sms(...): the lead has at least one message matching every clause inside (None: any)."""

    inner: Node | None
    position: int = 0


Node = Text | Field | And | Or | Not | Sms

#: The empty query: matches every lead.
MATCH_ALL = And(())


# -- tokenizer --------------------------------------------------------------------------------------

TokenKind = Literal["word", "string", "op", "(", ")", "-", "eof"]


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(Token(ch, ch, i))  # type: ignore[arg-type]
            i += 1
        elif ch == '"':
            start = i
            i += 1
            buf: list[str] = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                buf.append(text[i])
                i += 1
            if i >= n:
                raise _error(n, "a closing '\"'", f"the quote opened at column {start + 1} is not closed")
            tokens.append(Token("string", "".join(buf), start))
            i += 1
        elif ch in "<>=:":
            op = next(o for o in _OPS if text.startswith(o, i))
            tokens.append(Token("op", op, i))
            i += len(op)
        elif ch == "-" and i + 1 < n and not text[i + 1].isspace() and _term_start(tokens, text, i):
            tokens.append(Token("-", "-", i))
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in _SPECIAL:
                i += 1
            tokens.append(Token("word", text[start:i], start))
    tokens.append(Token("eof", "", n))
    return tokens


def _term_start(tokens: list[Token], text: str, i: int) -> bool:
    """A '-' negates only at the start of a term (so 2026-01-01 and e-mail stay words)."""
    return i == 0 or text[i - 1].isspace() or text[i - 1] == "("


# -- parser -----------------------------------------------------------------------------------------


def parse(text: str) -> Node:
    """Parse a query; raises QuerySyntaxError naming the column and what was expected there."""
    return _Parser(tokenize(text)).parse()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tok
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return tok

    def parse(self) -> Node:
        if self.tok.kind == "eof":
            return MATCH_ALL
        node = self.or_expr()
        end = self.tok  # a fresh name: mypy narrowed self.tok.kind above
        if end.kind != "eof":
            what = "')' without a matching '('" if end.kind == ")" else repr(end.text)
            raise _error(end.position, "the end of the query", f"found {what}")
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self._keyword("OR"):
            self.advance()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.unary()]
        while self.tok.kind not in ("eof", ")") and not self._keyword("OR"):
            if self._keyword("AND"):
                self.advance()
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node:
        if self.tok.kind == "-" or self._keyword("NOT"):
            start = self.advance().position
            return Not(self.unary(), start)
        return self.primary()

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "(":
            self.advance()
            if self.tok.kind == ")":
                raise _error(self.tok.position, "a search term", "the parentheses are empty")
            node = self.or_expr()
            self._expect(")")
            return node
        if tok.kind == "word" and tok.text.lower() == "sms" and self.peek().kind == "(":
            self.advance()
            self.advance()
            inner = None if self.tok.kind == ")" else self.or_expr()
            self._expect(")")
            return Sms(inner, tok.position)
        if tok.kind == "word" and self.peek().kind == "op":
            return self.field()
        if tok.kind in ("word", "string"):
            self.advance()
            return Text(tok.text, tok.kind == "string", tok.position)
        if tok.kind == "op":
            raise _error(tok.position, "a field name before " + repr(tok.text), "")
        found = "the end of the query" if tok.kind == "eof" else repr(tok.text)
        raise _error(tok.position, "a search term", f"found {found}")

    def field(self) -> Field:
        name = self.advance()
        op = self.advance()
        value = self.tok
        if value.kind not in ("word", "string"):
            found = "the end of the query" if value.kind == "eof" else repr(value.text)
            raise _error(value.position, f"a value after '{name.text}{op.text}'", f"found {found}")
        self.advance()
        return Field(
            name=name.text.lower(),
            op=op.text,  # type: ignore[arg-type]
            value=value.text,
            quoted=value.kind == "string",
            position=name.position,
            value_position=value.position,
        )

    def _keyword(self, word: str) -> bool:
        return self.tok.kind == "word" and self.tok.text == word and self.peek().kind != "op"

    def _expect(self, kind: TokenKind) -> None:
        if self.tok.kind != kind:
            found = "the end of the query" if self.tok.kind == "eof" else repr(self.tok.text)
            raise _error(self.tok.position, f"'{kind}'", f"found {found}")
        self.advance()


def _error(position: int, expected: str, detail: str) -> QuerySyntaxError:
    message = f"at column {position + 1}: expected {expected}"
    if detail:
        message += f" ({detail})"
    return QuerySyntaxError(message, position, expected)


def walk(node: Node | None) -> list[Node]:
    """Every node of the tree, depth first (used to ask "does the query mention is:done?")."""
    if node is None:
        return []
    out: list[Node] = [node]
    if isinstance(node, And | Or):
        for item in node.items:
            out += walk(item)
    elif isinstance(node, Not):
        out += walk(node.item)
    elif isinstance(node, Sms):
        out += walk(node.inner)
    return out
