"""The bulletin and the digest as CSV and printable PDF (with charts), rendered at the edge
from the JSON the reading service computes. The PDFs embed a Chinese TrueType font
(`LX_PDF_FONT`, default WenQuanYi Micro Hei from Debian's fonts-wqy-microhei, which the setup
installs), so they print the same in every viewer; without it they fall back to reportlab's
built-in CID font STSong-Light, which only viewers with Chinese fonts of their own display."""

import csv
import io
import os

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lianxin.settings import PDF_FONT as FONT_FILE
from lianxin.settings import TIMEZONE


def _register_font():
    if os.path.exists(FONT_FILE):
        pdfmetrics.registerFont(TTFont("LianxinCJK", FONT_FILE, subfontIndex=0))
        return "LianxinCJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


FONT = _register_font()
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, spaceAfter=6)
HEADING = ParagraphStyle(
    "heading", fontName=FONT, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4
)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14)


def _pct(rate):
    return "—" if rate["value"] is None else f"{rate['value'] * 100:.1f}%"


RANKING_COLUMNS = (
    "rank",
    "unit",
    "name",
    "kind",
    "cases",
    "completed",
    "completion_rate",
    "on_time_rate",
    "satisfaction_rate",
    "score",
    "flagged",
)


def ranking_rows(bulletin):
    for u in bulletin["ranking"]:
        f = u["figures"] or {}
        yield {
            "rank": u["rank"],
            "unit": u["unit"],
            "name": u["name"],
            "kind": u["kind"],
            "cases": u["cases"],
            "completed": f.get("completed", 0),
            "completion_rate": _fraction(f.get("completion_rate")),
            "on_time_rate": _fraction(f.get("on_time_rate")),
            "satisfaction_rate": _fraction(f.get("satisfaction_rate")),
            "score": u["score"],
            "flagged": "yes" if u["flagged"] else "",
        }


def _fraction(rate):
    return f"{rate['numerator']}/{rate['denominator']}" if rate else ""


def bulletin_csv(bulletin):
    """The unit ranking as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=RANKING_COLUMNS)
    writer.writeheader()
    writer.writerows(ranking_rows(bulletin))
    return "\ufeff" + out.getvalue()


def _table(header, rows, widths=None):
    table = Table([header] + rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#c62828")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f5f5")]),
            ]
        )
    )
    return table


def _bars(title, labels, series, names, width=170 * mm):
    """A horizontal bar chart; `series` are lists of numbers, one per label (a period with
    no cases draws an empty frame)."""
    if not labels:
        labels, series = [""], [[0] for _ in series or [None]]
    height = max(60, 14 * len(labels) * len(series) + 40)
    drawing = Drawing(width, height + 20)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 90, 10, width - 110, height - 10
    chart.data = series
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    palette = [colors.HexColor("#c62828"), colors.HexColor("#1565c0")]
    for i in range(len(series)):
        chart.bars[i].fillColor = palette[i % 2]
    drawing.add(chart)
    drawing.add(String(90, height + 6, title, fontName=FONT, fontSize=9))
    x = 90 + 9 * len(title) + 20
    for i, name in enumerate(names if len(series) > 1 else []):
        drawing.add(Rect(x, height + 5, 8, 8, fillColor=palette[i % 2], strokeWidth=0))
        drawing.add(String(x + 11, height + 6, name, fontName=FONT, fontSize=9))
        x += 11 + 9 * len(name) + 14
    return drawing


def _day(iso, shift=0):
    """A period bound as the county's local date (`shift=-1`: the last day before it)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    when = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(TIMEZONE))
    return (when + timedelta(days=shift)).strftime("%Y-%m-%d")


def _pdf(story):
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title="Lianxin report",
    ).build(story)
    return buffer.getvalue()


def bulletin_pdf(bulletin):
    t = bulletin["totals"]
    story = [
        Paragraph(f"群众诉求办理情况通报（{bulletin['quarter']}）", TITLE),
        Paragraph(
            f"统计期间：{_day(bulletin['from'])} 至 {_day(bulletin['to'], -1)}；"
            f"共受理 {t['total']} 件，"
            f"办结 {t['completed']} 件，办结率 {_pct(t['completion_rate'])}，"
            f"按时办结率 {_pct(t['on_time_rate'])}，满意率 "
            f"{_pct(t['satisfaction_rate'])}，超期未办结 {t['overdue_open']} 件。",
            BODY,
        ),
        Paragraph("一、单位考核排名", HEADING),
    ]
    rows = [
        [
            r["rank"],
            r["name"],
            r["cases"],
            r["completion_rate"],
            r["on_time_rate"],
            r["satisfaction_rate"],
            r["score"],
            "低于及格线" if r["flagged"] else "",
        ]
        for r in ranking_rows(bulletin)
    ]
    story.append(
        _table(
            ["名次", "单位", "件数", "办结", "按时", "满意", "得分", "备注"],
            rows,
            [12 * mm, 50 * mm, 14 * mm, 20 * mm, 20 * mm, 20 * mm, 16 * mm, 22 * mm],
        )
    )
    low = bulletin.get("lowest_township")
    story.append(
        Paragraph(
            "排名最后的乡镇："
            + (f"{low['name']}（{low['score']} 分）" if low else "无")
            + "；排名最后的三个部门："
            + (
                "、".join(f"{d['name']}（{d['score']} 分）" for d in bulletin["lowest_departments"])
                or "无"
            )
            + "。",
            BODY,
        )
    )
    units = [r for r in bulletin["ranking"] if r["figures"]]
    story += [
        Paragraph("二、各单位办结率与满意率", HEADING),
        _bars(
            "单位（%）",
            [u["name"] for u in units][::-1],
            [
                [(u["figures"]["completion_rate"]["value"] or 0) * 100 for u in units][::-1],
                [(u["figures"]["satisfaction_rate"]["value"] or 0) * 100 for u in units][::-1],
            ],
            ["办结率", "满意率"],
        ),
    ]
    story += [
        Paragraph("三、诉求类别与乡镇分布", HEADING),
        _bars(
            "按类别（件）",
            [g["name"] for g in bulletin["by_topic"]][::-1],
            [[g["total"] for g in bulletin["by_topic"]][::-1]],
            ["件数"],
        ),
        Spacer(1, 4 * mm),
        _bars(
            "按乡镇（件）",
            [g["key"] for g in bulletin["by_town"]][::-1],
            [[g["total"] for g in bulletin["by_town"]][::-1]],
            ["件数"],
        ),
    ]
    best = [
        [c["id"], Paragraph(c["title"], BODY), c.get("unit_name") or c["unit"], c["handling_hours"]]
        for c in bulletin["best_cases"]
    ]
    story += [
        KeepTogether(
            [
                Paragraph("四、办理质量较好的诉求件", HEADING),
                _table(["编号", "标题", "承办单位", "用时（小时）"], best or [["—", "", "", ""]]),
            ]
        )
    ]
    story += _matters_section(bulletin.get("supervised_matters"))
    return _pdf(story)


def _matters_section(section):
    """五、督办事项: matters by lead unit with their milestones on time, those confirmed closed
    in the quarter (事结销号) and those at risk now (lianxin/matter_stats.py)."""
    if not section:
        return []
    t = section["totals"]
    rows = [
        [
            u["name"],
            u["matters"],
            u["milestones_due"],
            u["on_time"],
            u["late"] + u["missed"],
            _pct(u["on_time_rate"]),
            u["at_risk"],
        ]
        for u in section["units"]
    ]
    listed = [
        [m["id"], Paragraph(m["title"], BODY), m["unit_name"], word]
        for word, key in (("已销号", "confirmed"), ("有风险", "at_risk"))
        for m in section[key]
    ]
    return [
        KeepTogether(
            [
                Paragraph("五、督办事项与民生实事", HEADING),
                Paragraph(
                    f"督办事项 {t['matters']} 项，本季度到期节点 {t['milestones_due']} 个，"
                    f"按时完成 {t['on_time']} 个（{_pct(t['on_time_rate'])}），"
                    f"当前有风险 {t['at_risk']} 项。",
                    BODY,
                ),
                _table(
                    ["牵头单位", "事项", "到期节点", "按时", "逾期", "按时率", "有风险"],
                    rows or [["—", "", "", "", "", "", ""]],
                ),
                Spacer(1, 3 * mm),
                _table(["编号", "事项", "牵头单位", "状态"], listed or [["—", "", "", ""]]),
            ]
        )
    ]


def digest_pdf(digest):
    story = [
        Paragraph("群众诉求十日汇总", TITLE),
        Paragraph(
            f"{_day(digest['from'])} 至 {_day(digest['to'], -1)}，共 {digest['total']} 件。", BODY
        ),
    ]
    for section in digest["leaders"]:
        story.append(
            Paragraph(
                f"{section['name']}分管领域：{section['total']} 件"
                f"（上期 {section['previous_total']} 件）",
                HEADING,
            )
        )
        hot = "、".join(f"{h['name']} {h['count']} 件" for h in section["hot_topics"]) or "无"
        rising = (
            "、".join(f"{h['name']} +{h['increase']}" for h in section["rising_topics"]) or "无"
        )
        story.append(Paragraph(f"热点：{hot}。上升：{rising}。", BODY))
        notable = section["notable"]
        rows = []
        for key, label in (
            ("collective", "集体诉求"),
            ("leader_led", "领导领办"),
            ("overdue", "超期"),
            ("repeat_petitioners", "重复信访"),
        ):
            rows += [
                [label, c["id"], Paragraph(c["title"], BODY), c["status"]]
                for c in notable[key][:10]
            ]
        if rows:
            story.append(_table(["类别", "编号", "标题", "状态"], rows))
    return _pdf(story)
