"""A draft split into the sections citizens comment on (征求意见稿): Markdown headings, and
numbered articles (第一条 …, 1. …) in Markdown or plain text. Pure."""

import re

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# 第一条、第十二条、第3条 — the articles of a Chinese regulation or decision.
ARTICLE_CN = re.compile(r"^\s*(第[一二三四五六七八九十百零〇两\d]+条)[\s　:：]*(.*)$")
# 一、 (chapters of a plan), then 1. / 1、 / 1) (numbered items of a plain-text list).
CHAPTER_CN = re.compile(r"^\s*([一二三四五六七八九十]+)[、.．]\s*(.+)$")
ARTICLE_NUM = re.compile(r"^\s*(\d{1,3})[.．、)]\s+(.+)$|^\s*(\d{1,3})[、．]\s*(.+)$")
MAX_SECTIONS = 500


def _start(line):
    """(label, heading text) when `line` starts a section, else None."""
    m = HEADING.match(line)
    if m:
        return None, m.group(2).strip()
    m = ARTICLE_CN.match(line)
    if m:
        return m.group(1), m.group(2).strip()
    m = CHAPTER_CN.match(line)
    if m:
        return f"{m.group(1)}、", m.group(2).strip()
    m = ARTICLE_NUM.match(line)
    if m:
        number = m.group(1) or m.group(3)
        return f"{number}.", (m.group(2) or m.group(4)).strip()
    return None


def parse_sections(text):
    """The sections of `text`, in order: [{id: "s1", label, heading, text}]. What comes before
    the first heading or article is the preamble (section "s0", kept only if not blank); a
    draft with no structure at all is one section. An article's first line stays in its text,
    as a reader quotes it."""
    sections, current = [], {"label": None, "heading": "", "lines": []}
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        start = _start(line)
        if start is not None:
            sections.append(current)
            label, heading = start
            md = HEADING.match(line)
            current = {"label": label, "heading": heading, "lines": [] if md else [line.strip()]}
        else:
            current["lines"].append(line)
    sections.append(current)
    out = []
    for i, s in enumerate(sections):
        body = "\n".join(s["lines"]).strip()
        if i == 0 and not body and not s["heading"]:
            continue  # no preamble
        heading = s["heading"] or ("前言" if i == 0 else "")
        out.append(
            {
                "id": f"s{len(out) + 1}",
                "label": s["label"],
                "heading": heading if len(heading) <= 60 else heading[:59] + "…",
                "text": body,
            }
        )
    if len(out) > MAX_SECTIONS:
        raise ValueError(f"a draft has at most {MAX_SECTIONS} sections")
    return out
