"""Close-style template rendering."""

from __future__ import annotations

import pytest

from sms_tui.core.templates import (
    KNOWN_VARIABLES,
    Rendered,
    has_unrendered,
    render,
    template_context,
    variables,
)

FULL = template_context(
    contact_first_name="Ada",
    contact_last_name="Lovelace",
    lead_display_name="Analytical Engines Ltd",
    user_first_name="Dana",
    user_last_name="Rep",
    user_email="dana@acme.test",
    user_phone="+1 415-555-2671",
    organization_name="Acme",
)


def test_close_spec_example() -> None:
    out = render("Hey {{ contact.first_name }}, ever considered Close?", FULL)
    assert out == Rendered(text="Hey Ada, ever considered Close?", missing=(), unknown=())
    assert out.complete and not out.unrendered


def test_every_documented_variable_renders() -> None:
    template = (
        "{{ contact.first_name }}|{{ contact.last_name }}|{{ lead.display_name }}|{{ user.first_name }}|"
        "{{ user.last_name }}|{{ user.email }}|{{ user.phone }}|{{ organization.name }}"
    )
    out = render(template, FULL)
    assert out.text == "Ada|Lovelace|Analytical Engines Ltd|Dana|Rep|dana@acme.test|+1 415-555-2671|Acme"
    assert out.complete


@pytest.mark.parametrize(
    "tag",
    [
        "{{contact.first_name}}",
        "{{ contact.first_name }}",
        "{{   contact.first_name\t}}",
        "{{\ncontact.first_name\n}}",
    ],
)
def test_whitespace_tolerant(tag: str) -> None:
    assert render(f"Hi {tag}!", FULL).text == "Hi Ada!"


def test_tags_are_case_insensitive() -> None:
    assert render("Hi {{ Contact.First_Name }}", FULL).text == "Hi Ada"


def test_missing_value_renders_empty_and_is_reported() -> None:
    ctx = template_context(contact_first_name=None, user_first_name="Dana")
    out = render("Hi {{ contact.first_name }}, it's {{ user.first_name }}", ctx)
    assert out.text == "Hi , it's Dana"
    assert out.missing == ("contact.first_name",)
    assert out.unknown == ()
    assert not out.complete


@pytest.mark.parametrize("value", ["", "   ", None])
def test_empty_or_blank_value_counts_as_missing(value: str | None) -> None:
    out = render("Hi {{ contact.first_name }}", template_context(contact_first_name=value))
    assert out.text == "Hi "
    assert out.missing == ("contact.first_name",)


def test_known_variable_missing_from_the_context_entirely() -> None:
    out = render("Hi {{ contact.first_name }}", {})
    assert out.text == "Hi "
    assert out.missing == ("contact.first_name",)
    assert out.unknown == ()


def test_unknown_variable_renders_empty_and_is_reported() -> None:
    out = render("Size {{ contact.shoe_size }} for {{ contact.first_name }}", FULL)
    assert out.text == "Size  for Ada"
    assert out.unknown == ("contact.shoe_size",)
    assert out.missing == ()
    assert not out.complete


def test_extra_variable_supplied_in_context_is_known() -> None:
    ctx = {"contact": {"first_name": "Ada", "title": "CEO"}}
    out = render("{{ contact.title }}", ctx)
    assert out.text == "CEO" and out.complete


def test_repeated_variables_are_reported_once() -> None:
    out = render("{{ contact.first_name }} {{ contact.first_name }} {{ a.b }} {{ a.b }}", {})
    assert out.missing == ("contact.first_name",)
    assert out.unknown == ("a.b",)


def test_default_used_when_value_missing() -> None:
    out = render('Hi {{ contact.first_name|default:"there" }}!', template_context())
    assert out.text == "Hi there!"
    assert out.missing == ()
    assert out.defaulted == ("contact.first_name",)
    assert out.uses_default_filter
    assert out.complete


def test_default_ignored_when_value_present() -> None:
    out = render('Hi {{ contact.first_name|default:"there" }}!', FULL)
    assert out.text == "Hi Ada!"
    assert out.defaulted == ()
    assert out.uses_default_filter  # still flagged: real Close may not honour the filter


@pytest.mark.parametrize(
    "tag",
    [
        '{{contact.first_name|default:"there"}}',
        '{{ contact.first_name | default : "there" }}',
        "{{ contact.first_name|default:'there' }}",
    ],
)
def test_default_syntax_variants(tag: str) -> None:
    assert render(f"Hi {tag}", {}).text == "Hi there"


def test_default_may_hold_spaces_and_braces_free_punctuation() -> None:
    assert render('{{ contact.first_name|default:"my friend, hello" }}', {}).text == "my friend, hello"


def test_empty_default_is_intentional_not_missing() -> None:
    out = render('Hi{{ contact.first_name|default:"" }}!', {})
    assert out.text == "Hi!"
    assert out.missing == ()
    assert out.complete


def test_unknown_variable_with_default_uses_default_but_is_still_reported() -> None:
    out = render('{{ contact.nickname|default:"pal" }}', FULL)
    assert out.text == "pal"
    assert out.unknown == ("contact.nickname",)


def test_no_tags_is_identity() -> None:
    text = "Plain text with { single } braces and a } stray"
    out = render(text, {})
    assert out.text == text and out.complete


def test_stray_closing_braces_are_reported() -> None:
    out = render("Hi contact.first_name }}!", {})
    assert out.text == "Hi contact.first_name }}!"
    assert out.malformed == ("irst_name }}!",)  # the stray marker with up to 10 characters around it
    assert out.unrendered


def test_unclosed_tag_is_left_literally_and_flagged() -> None:
    out = render("Hi {{ contact.first_name, welcome", FULL)
    assert out.text == "Hi {{ contact.first_name, welcome"
    assert out.malformed == ("{{ contact.first_name, welcome",)
    assert out.unrendered and not out.complete
    assert has_unrendered(out.text)


def test_unclosed_tag_before_a_good_one() -> None:
    out = render("Hi {{ contact.first_name and {{ user.first_name }}", FULL)
    assert out.text == "Hi {{ contact.first_name and Dana"
    assert out.malformed == ("{{ contact.first_name and ",)


@pytest.mark.parametrize(
    "tag", ["{{ }}", "{{ hello there }}", "{{ contact }}", "{{ contact.first_name|upper }}"]
)
def test_junk_inside_braces_is_left_and_flagged(tag: str) -> None:
    out = render(f"Hi {tag}!", FULL)
    assert out.text == f"Hi {tag}!"
    assert out.malformed == (tag,)
    assert has_unrendered(out.text)


def test_rendered_text_has_no_braces_when_complete() -> None:
    out = render("{{contact.first_name}}{{ lead.display_name }}{{ x.y }}{{ user.phone }}", template_context())
    assert not has_unrendered(out.text)
    assert out.text == ""


def test_values_are_data_not_templates() -> None:
    """A name that itself looks like a tag is inserted as-is, not rendered again."""
    ctx = template_context(contact_first_name="{{ user.email }}", user_email="secret@acme.test")
    out = render("Hi {{ contact.first_name }}", ctx)
    assert out.text == "Hi {{ user.email }}"
    assert out.unrendered and has_unrendered(out.text)  # the guard still catches it before it is sent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello there", False),
        ("a { b } c", False),
        ("Hi {{ contact.first_name }}", True),
        ("Hi {{", True),
        ("name }}", True),
        ("{% if x %}", True),
        ("", False),
    ],
)
def test_has_unrendered(text: str, expected: bool) -> None:
    assert has_unrendered(text) is expected


def test_variables_lists_well_formed_paths_in_order() -> None:
    template = (
        'Hi {{ contact.first_name|default:"x" }} {{ lead.display_name }} {{ bad tag }} {{contact.first_name}}'
    )
    assert variables(template) == ("contact.first_name", "lead.display_name")


def test_template_context_shape() -> None:
    ctx = template_context(contact_first_name="Ada", organization_name="Acme")
    assert ctx["contact"] == {"first_name": "Ada", "last_name": None}
    assert ctx["organization"] == {"name": "Acme"}
    assert set(ctx) == {"contact", "lead", "user", "organization"}
    assert {f"{section}.{key}" for section, values in ctx.items() for key in values} == KNOWN_VARIABLES


# --- properties ----------------------------------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_pieces = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="{}%"), max_size=8),
    st.sampled_from(sorted(f"{{{{ {v} }}}}" for v in KNOWN_VARIABLES)),
    st.sampled_from(['{{ contact.first_name|default:"you" }}', "{{ x.y }}", "{{contact.last_name}}"]),
    st.sampled_from(["{{", "}}", "{", "}", "{{ bad }}", "{%"]),
)
_values = st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_characters="{}%"), max_size=6))


@given(pieces=st.lists(_pieces, max_size=12), first=_values, org=_values)
def test_unrendered_always_agrees_with_the_guard(
    pieces: list[str], first: str | None, org: str | None
) -> None:
    """Whatever the template, the output holds template syntax exactly when render reports it."""
    out = render("".join(pieces), template_context(contact_first_name=first, organization_name=org))
    assert out.unrendered == has_unrendered(out.text)
    if out.complete:
        assert not has_unrendered(out.text)


@given(st.text(max_size=40))
def test_render_never_raises(template: str) -> None:
    out = render(template, template_context())
    assert isinstance(out.text, str)
