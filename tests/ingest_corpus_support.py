"""Test helpers for the corpus-more tests: the files' own question labels and body words, read with bs4 and regexes
of their own (independently of searchsvc.ingest)."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

from bs4 import BeautifulSoup, Comment

WORD = re.compile(r"[A-Za-z0-9]+")
CAPS_LABEL = re.compile(r"(?m)^[ \xa0]*[A-Z][A-Z.'’\- ]+(\([^)]*\))?:")
TIME_OR_END = re.compile(r"(?m)^\s*(END\b.*|\(?\d{1,2}:\d\d\s*([AaPp]\.?\s?[Mm]\.?)?\s*[A-Z]{0,5}\)?\.?)\s*$")


def words(text: str) -> Counter:
    return Counter(w.lower() for w in WORD.findall(text))


def _html(text: str) -> str:
    """The page's HTML, a `<h1>` line and Python bytes literal unwrapped."""
    m = re.match(r"\A\s*(<h1[^>]*>.*?</h1>\s*\n)?\s*(b['\"].*)\Z", text, re.S)
    return (m.group(1) or "") + ast.literal_eval(m.group(2).strip()).decode("utf-8") if m else text


def _html_lines(text: str) -> list[str]:
    soup = BeautifulSoup(_html(text), "lxml")
    mark = soup.find(string=lambda s: isinstance(s, Comment) and "The Content" in s)
    root = mark.parent if mark is not None else (soup.body or soup)
    for tag in root.find_all(["h1", "script", "style"]):
        tag.decompose()
    for br in root.find_all("br"):
        br.replace_with("\n")
    return [" ".join(x.split()) for x in root.get_text("\n").split("\n") if x.strip()]


def questions_and_body(path: Path) -> tuple[int, str]:
    """(question labels, body text less labels and time lines) of a Markdown or HTML transcript."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        body = re.split(r"\n---[ \t]*\n", text, maxsplit=1)[1]
        lines = body.split("\n")
        count = 0
        for k, line in enumerate(lines):
            t = line.lstrip(" \xa0\t")
            prev = lines[k - 1] if k else ""
            brk = not prev.strip(" \xa0\t") or prev.endswith("  ") or re.search(r"[.?!\"”)\]—]\s*$", prev)
            if re.match(r"Q(?::|[\xa0\t]|\s\s|\s*$)", t) or (re.match(r"Q (?=\S)", t) and brk):
                count += 1
        body = re.sub(r"(?m)^[ \xa0]*Q(?=[\s:])", "", body)
    else:
        paras = _html_lines(text)
        count = sum(1 for p in paras if re.match(r"^Q(\s|:|$)", p))
        body = re.sub(r"(?m)^Q(?=[\s:]|$)", "", "\n".join(paras))
    return count, TIME_OR_END.sub("", CAPS_LABEL.sub("", body))
