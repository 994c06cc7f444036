"""core/markdown.py: what a policy or training text may contain, and what never reaches the page."""

import re
from html.parser import HTMLParser

import pytest

from core.markdown import render_markdown


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]


def _elements(html: str) -> _Elements:
    parsed = _Elements()
    parsed.feed(html)
    return parsed


def _browser_scheme(url: str) -> str:
    """The scheme a browser would take from ``url`` ("" for a relative one)."""
    url = re.sub(r"[\t\n\r]", "", url.strip("".join(chr(c) for c in range(0x21))))
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return match.group(1).lower() if match else ""


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "before <script>alert(1)</script> after",
        "<img src=x onerror=alert(1)>",
        '<a href="https://x.example" onclick="alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        "<svg onload=alert(1)>",
        "<details open ontoggle=alert(1)>",
    ],
)
def test_raw_html_comes_out_as_text(source):
    html = render_markdown(source)
    elements = _elements(html)
    assert set(elements.tags) <= {"p"}
    assert elements.attributes == []
    assert "&lt;" in html


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "javascript&#58;alert(1)",
        "&#106;avascript:alert(1)",
        "java&#09;script:alert(1)",
        "<java\tscript:alert(1)>",
        "<java\nscript:alert(1)>",
        "<  javascript:alert(1)>",
        "%20javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "DATA:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "//evil.example/x",
    ],
)
@pytest.mark.parametrize("shape", ["[click]({})", "![pic]({})", "[click][ref]\n\n[ref]: {}"])
def test_unsafe_link_targets_never_reach_an_attribute(target, shape):
    html = render_markdown(shape.format(target))
    for tag, name, value in _elements(html).attributes:
        if name in ("href", "src"):
            assert _browser_scheme(value) in ("", "http", "https", "mailto"), (tag, value)
            assert not value.startswith("//"), value


@pytest.mark.parametrize(
    "source, href",
    [
        ("[intranet](https://intranet.example/policy)", "https://intranet.example/policy"),
        ("[mail](mailto:security@acme.example)", "mailto:security@acme.example"),
        ("[relative](/policies/1/)", "/policies/1/"),
    ],
)
def test_safe_links_stay_links_and_do_not_hand_over_the_page(source, href):
    elements = _elements(render_markdown(source))
    attributes = {name: value for _tag, name, value in elements.attributes}
    assert attributes["href"] == href
    assert attributes["rel"] == "noopener noreferrer"


def test_ordinary_policy_markdown_renders():
    html = render_markdown("# Title\n\n- **one**\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert {"h1", "ul", "li", "strong", "table", "th", "td"} <= set(_elements(html).tags)


def test_empty_text_renders_empty():
    assert render_markdown("") == ""
