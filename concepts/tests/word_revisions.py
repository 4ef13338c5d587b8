"""Reading a .docx's tracked changes and comments as Word would apply them, straight from its XML.

Independent of the code that writes them: `resolve` does what Review → Accept All (or Reject All)
does to the text, paragraph by paragraph, so that tests can compare it with the texts compared.
"""

import io
import zipfile

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def part(data: bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def body_paragraphs(data: bytes, *, from_bookmark: str = "mpf_s") -> list:
    """The body's paragraphs from the first whose bookmark name starts with `from_bookmark` (the sections)."""
    paragraphs = list(part(data, "word/document.xml").iter(f"{W}p"))
    for index, paragraph in enumerate(paragraphs):
        if any(b.get(f"{W}name", "").startswith(from_bookmark) for b in paragraph.iter(f"{W}bookmarkStart")):
            return paragraphs[index:]
    raise AssertionError("No section bookmark in the file.")


def _inside(element, tag: str) -> bool:
    return any(ancestor.tag == f"{W}{tag}" for ancestor in element.iterancestors())


def paragraph_text(paragraph, *, accept: bool) -> str:
    """The paragraph's text once its changes are all accepted (or all rejected)."""
    pieces = []
    for element in paragraph.iter(f"{W}t", f"{W}delText", f"{W}tab", f"{W}br"):
        if _inside(element, "pPr"):
            continue
        inserted, deleted = _inside(element, "ins"), _inside(element, "del")
        if (accept and deleted) or (not accept and inserted):
            continue
        if element.tag == f"{W}tab":
            pieces.append("\t")
        elif element.tag == f"{W}br":
            pieces.append("\n")
        else:
            pieces.append(element.text or "")
    return "".join(pieces)


def mark_change(paragraph) -> str:
    """ "ins" or "del" when the paragraph mark itself is a tracked change, else ""."""
    properties = paragraph.find(f"{W}pPr/{W}rPr")
    if properties is None:
        return ""
    for change in ("ins", "del"):
        if properties.find(f"{W}{change}") is not None:
            return change
    return ""


def resolve(paragraphs, *, accept: bool) -> list[str]:
    """The paragraphs' texts after Accept All (or Reject All): a removed paragraph mark joins its
    paragraph with the next one."""
    result, pending = [], ""
    for paragraph in paragraphs:
        pending += paragraph_text(paragraph, accept=accept)
        if mark_change(paragraph) == ("del" if accept else "ins"):
            continue
        result.append(pending)
        pending = ""
    if pending:
        result.append(pending)
    return result


def revisions(data: bytes) -> list[tuple[str, str, str, str]]:
    """(ins|del, author, date, text) of every tracked change of the body's runs."""
    found = []
    for element in part(data, "word/document.xml").iter(f"{W}ins", f"{W}del"):
        if _inside(element, "pPr"):
            continue
        text = "".join(t.text or "" for t in element.iter(f"{W}t", f"{W}delText"))
        found.append((element.tag[len(W) :], element.get(f"{W}author"), element.get(f"{W}date"), text))
    return found


def comments(data: bytes) -> dict[str, dict]:
    """Comment id → author, date, text (its paragraphs joined by newlines) and the text it is anchored on (as shown)."""
    result = {}
    for comment in part(data, "word/comments.xml").iter(f"{W}comment"):
        text = "\n".join("".join(t.text or "" for t in paragraph.iter(f"{W}t")) for paragraph in comment.iter(f"{W}p"))
        result[comment.get(f"{W}id")] = {
            "author": comment.get(f"{W}author"),
            "date": comment.get(f"{W}date"),
            "text": text,
            "anchor": None,
        }
    for paragraph in part(data, "word/document.xml").iter(f"{W}p"):
        open_ranges: dict[str, list[str]] = {}
        for element in paragraph.iter():
            if element.tag == f"{W}commentRangeStart":
                open_ranges[element.get(f"{W}id")] = []
            elif element.tag == f"{W}commentRangeEnd":
                result[element.get(f"{W}id")]["anchor"] = "".join(open_ranges.pop(element.get(f"{W}id")))
            elif element.tag in (f"{W}t", f"{W}delText"):
                for pieces in open_ranges.values():
                    pieces.append(element.text or "")
    return result
