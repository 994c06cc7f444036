"""Markdown for user-written documents (policies, training content), rendered inert.

CommonMark without raw HTML: tags in the source come out as text. Links and images keep only
http(s), mailto and relative targets, so ``javascript:``, ``data:`` and the like never reach an
attribute; external links open without handing over the page (rel="noopener noreferrer").
"""

from collections.abc import Sequence
from urllib.parse import urlsplit

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

SAFE_SCHEMES = frozenset({"http", "https", "mailto", ""})


def _link_is_safe(url: str) -> bool:
    cleaned = "".join(character for character in url if character.isprintable() and not character.isspace())
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return False
    return scheme in SAFE_SCHEMES and not cleaned.lower().startswith(("//", "\\\\"))


class _SafeLinksMarkdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        return _link_is_safe(url)


def _parser() -> MarkdownIt:
    parser = _SafeLinksMarkdown("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

    def link_open(
        renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
    ) -> str:
        tokens[index].attrSet("rel", "noopener noreferrer")
        return renderer.renderToken(tokens, index, options, env)

    parser.add_render_rule("link_open", link_open)
    return parser


_PARSER = _parser()


def render_markdown(text: str) -> SafeString:
    """HTML for ``text``; safe to put in a page as it is."""
    return mark_safe(_PARSER.render(text or ""))  # noqa: S308 -- raw HTML is disabled and links validated above
