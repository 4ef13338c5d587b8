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
