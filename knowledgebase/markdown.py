"""Markdown to safe HTML, and to plain text for search and snippets.

markdown-it-py with raw HTML switched off: any HTML an author types is shown as text,
and link targets pass markdown-it's validator (no javascript:, vbscript:, file:, data:).
"""

from functools import lru_cache

from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser():
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])

    def link_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("rel", "nofollow noopener")
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    return md


def render(text):
    return mark_safe(_parser().render(text or ""))


def plain_text(text):
    """The words a reader sees, one block per line (headings, paragraphs, list items, code)."""
    lines = []
    for token in _parser().parse(text or ""):
        if token.type == "inline":
            lines.append("".join(child.content for child in token.children or () if child.type in ("text", "code_inline")) or token.content)
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.strip())
    return "\n".join(line for line in lines if line.strip())
