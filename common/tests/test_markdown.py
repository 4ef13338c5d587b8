from html.parser import HTMLParser

import pytest

from common.markdown import render_markdown


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))


def parse(html):
    parser = _Elements()
    parser.feed(html)
    return parser.elements


XSS_INPUTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href='javascript:alert(1)'>x</a>",
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[x](java\tscript:alert(1))",
]


@pytest.mark.parametrize("source", XSS_INPUTS)
def test_dangerous_markdown_is_rendered_inert(source):
    elements = parse(str(render_markdown(source)))
    for tag, attributes in elements:
        assert tag not in {"script", "iframe", "svg", "img", "style", "object", "embed"}
        for name, value in attributes:
            assert not name.startswith("on"), name
            assert name != "style"
            if name in {"href", "src"}:
                assert (value or "").startswith(("http://", "https://", "mailto:")), value


def test_ordinary_markdown_keeps_its_structure_and_safe_links():
    html = str(render_markdown("## Aims\n\n**Bold** and [site](https://example.org).\n\n- one\n- two"))
    assert "<h2>Aims</h2>" in html
    assert "<strong>Bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert "<li>one</li>" in html


def test_raw_html_typed_by_a_user_is_shown_as_text():
    html = str(render_markdown("a <b>bold</b> claim"))
    assert "<b>" not in html
    assert "&lt;b&gt;" in html


def test_footnotes_become_a_reference_and_a_note_list_with_ids_prefixed_by_the_anchor():
    html = str(render_markdown("Claim[^src] and more.\n\n[^src]: Source of the *claim*.", anchor="section-12"))
    elements = parse(html)
    assert ("sup", [("class", "footnote-ref")]) in elements
    assert ("a", [("href", "#fn-section-12-1"), ("id", "fnref-section-12-1"), ("rel", "noopener noreferrer nofollow")]) in (
        elements
    )
    assert ("li", [("id", "fn-section-12-1"), ("class", "footnote-item")]) in elements
    assert '<section class="footnotes">' in html
    assert "Source of the <em>claim</em>." in html
    assert "[^src]" not in html


def test_two_texts_on_one_page_give_their_notes_different_ids():
    first = str(render_markdown("One[^1].\n\n[^1]: First note.", anchor="v1"))
    second = str(render_markdown("Two[^1].\n\n[^1]: Second note.", anchor="v2"))
    first_ids = {value for _tag, attributes in parse(first) for name, value in attributes if name == "id"}
    second_ids = {value for _tag, attributes in parse(second) for name, value in attributes if name == "id"}
    assert first_ids and second_ids
    assert not first_ids & second_ids


def test_a_footnote_label_cannot_put_markup_or_its_own_id_into_the_page():
    html = str(render_markdown('Text[^"><img src=x onerror=alert(1)>].\n\n[^"><img src=x onerror=alert(1)>]: note'))
    for tag, attributes in parse(html):
        assert tag != "img"
        for name, value in attributes:
            assert not name.startswith("on")
            if name == "id":
                assert value in {"fn1", "fnref1"}, value


def test_an_anchor_with_odd_characters_still_gives_safe_ids():
    html = str(render_markdown("A[^1].\n\n[^1]: n", anchor='Sec "12" <b>'))
    ids = [value for _tag, attributes in parse(html) for name, value in attributes if name == "id"]
    assert ids == ["fnref-sec-12-b-1", "fn-sec-12-b-1"]


def test_control_characters_that_xml_cannot_hold_are_dropped():
    html = str(render_markdown("line\x0bbreak and bell\x07 here"))
    assert "\x0b" not in html and "\x07" not in html
    assert "bell here" in html
