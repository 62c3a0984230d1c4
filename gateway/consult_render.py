"""Asking the public, printed: the summary of a consultation (采纳情况说明) as PDF, a survey's
answers as CSV and its results as PDF with charts. Rendered at the edge from the JSON the
consult service computes, with the fonts and helpers of `render.py`."""

import csv
import io
from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph, Spacer

from .render import BODY, HEADING, TITLE, _bars, _day, _pdf, _table

DECISION_WORDS = {
    "adopted": "采纳",
    "partly_adopted": "部分采纳",
    "not_adopted": "未采纳",
    "noted": "已收悉",
    "undecided": "未答复",
}
DECISIONS = ("adopted", "partly_adopted", "not_adopted", "noted")


def _p(text, style=BODY):
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def summary_pdf(summary):
    word = "公示" if summary.get("kind") == "notice" else "征求意见"
    story = [
        _p(f"《{summary['title']}》{word}采纳情况说明", TITLE),
        _p(f"{word}期间：{_day(summary['opens_at'])} 至 {_day(summary['closes_at'])}"),
        Spacer(1, 3),
        _p(summary["text"]),
        _p("一、意见分类统计", HEADING),
    ]
    rows = [
        [_p(r["heading"] or r["section"] or "整体意见"), r["total"]] + [r[d] for d in DECISIONS]
        for r in summary["by_section"]
    ]
    t = summary["totals"]
    rows.append(["合计", t["total"]] + [t[d] for d in DECISIONS])
    story.append(_table(["章节", "意见", *(DECISION_WORDS[d] for d in DECISIONS)], rows))
    story.append(_p("二、采纳及部分采纳的意见", HEADING))
    for n, q in enumerate(summary["quoted"], 1):
        story.append(
            _p(
                f"{n}. 【{q['heading'] or '整体意见'}】{q['text']}（{DECISION_WORDS[q['decision']]}"
                + (f"：{q['reason']}" if q.get("reason") else "")
                + "）"
            )
        )
    if not summary["quoted"]:
        story.append(_p("无。"))
    return _pdf(story)


def survey_csv(export):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(export["header"])
    writer.writerows(export["rows"])
    return "\ufeff" + out.getvalue()


def _pct(share):
    return "—" if share is None else f"{share * 100:.1f}%"


def survey_pdf(results):
    s = results["survey"]
    story = [
        _p(f"{s['title']} 调查结果", TITLE),
        _p(
            f"调查期间：{_day(s['opens_at'])} 至 {_day(s['closes_at'])}；"
            f"共收到答卷 {results['responses']} 份。"
        ),
    ]
    for n, q in enumerate(results["questions"], 1):
        story.append(_p(f"{n}. {q['text']}（作答 {q['answered']} 人）", HEADING))
        if "options" in q:
            story.append(
                _table(
                    ["选项", "人数", "占比"],
                    [[_p(o["label"]), o["count"], _pct(o["share"])] for o in q["options"]],
                )
            )
            story.append(
                _bars(
                    "人数",
                    [o["label"] for o in q["options"]][::-1],
                    [[o["count"] for o in q["options"]][::-1]],
                    ["人数"],
                )
            )
        elif "counts" in q:
            story.append(_p(f"平均分：{q['average'] if q['average'] is not None else '—'}"))
            labels = list(q["counts"])
            story.append(
                _bars("人数", labels[::-1], [[q["counts"][k] for k in labels][::-1]], ["人数"])
            )
        elif "rows" in q:
            header = ["", *(o["label"] for o in q["rows"][0]["options"])] if q["rows"] else [""]
            story.append(
                _table(
                    header,
                    [
                        [
                            _p(r["label"]),
                            *(f"{o['count']}（{_pct(o['share'])}）" for o in r["options"]),
                        ]
                        for r in q["rows"]
                    ],
                )
            )
        else:
            for text in q.get("texts", [])[:200]:
                story.append(_p(f"· {text}"))
    visits = results.get("return_visits")
    if visits:
        c = visits["counts"]
        story += [
            _p("回访满意度（同期办结件）", HEADING),
            _p(
                f"办结 {visits['cases']} 件：满意 {c['satisfied']}，"
                f"基本满意 {c['basically_satisfied']}，"
                f"不满意 {c['dissatisfied']}，未评价 {c['none']}；满意率 "
                f"{_pct(visits['satisfaction_rate']['value'])}。"
            ),
        ]
    return _pdf(story)
