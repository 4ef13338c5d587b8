"""Text that every format we write can hold.

XML 1.0 (Word's .docx, PDF metadata, IATI, the HTML WeasyPrint parses) cannot hold the C0
control characters other than tab, line feed and carriage return, nor U+FFFE/U+FFFF or lone
surrogates; python-docx raises on them and lxml refuses them. They arrive pasted from other
programs (a vertical tab from Word's line break, a form feed from a PDF), never meant as text.
"""

import re

_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def strip_control_characters(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold. A vertical tab or form feed becomes a line break."""
    if not text:
        return text
    return _XML_ILLEGAL_RE.sub(lambda match: "\n" if match.group(0) in "\x0b\x0c" else "", text)
