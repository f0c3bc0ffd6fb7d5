"""HTML mail bodies to plain text for the conversation.

The HTML is first cleaned with ``nh3`` (the Rust ammonia sanitiser): scripts, styles,
heads and every attribute but link targets go, so nothing remote is ever referenced,
let alone fetched (images become their alt text at most). ``html2text`` then renders
the structure as text: paragraphs, line breaks, lists, and ``>`` before quoted
blocks, which lets the plain-text quote stripper handle HTML replies too.
"""

import re

import html2text
import nh3

_TAGS = {
    "a", "b", "strong", "i", "em", "u", "p", "br", "div", "span", "blockquote", "ul", "ol", "li",
    "pre", "code", "table", "thead", "tbody", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
}
_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]+)\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")


def _link(match):
    text, url = match.group(1).strip(), match.group(2)
    bare = url.removeprefix("mailto:")
    if not text or text == url or text == bare or url.startswith("mailto:"):
        return text or bare
    return f"{text} ({url})"


def html_to_text(html):
    """Readable plain text of an HTML body; quoted blocks keep a ``>`` prefix."""
    if not html or not html.strip():
        return ""
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href"}},
        clean_content_tags={"script", "style", "head", "title", "template"},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_emphasis = True
    converter.ignore_images = True
    converter.unicode_snob = True
    converter.escape_snob = False
    converter.inline_links = True
    converter.protect_links = False
    text = converter.handle(clean)
    text = _LINK.sub(_link, text)
    text = _AUTOLINK.sub(r"\1", text)
    text = text.replace("\xa0", " ")
    lines = [line.rstrip() for line in text.splitlines()]
    # A quoted blank line ("> ") is still part of the quote, just trimmed.
    lines = [">" if line.strip() == ">" else line for line in lines]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
