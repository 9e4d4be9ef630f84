"""The similarity section of summary.html and each listed pair's side-by-side page.

Every student-controlled string (ids, names, code) is escaped here; the code arrives escaped,
with <mark> around the shared passages, from engine/similarity.py.
"""
from __future__ import annotations

from html import escape

from autograder.engine.similarity import Report
from autograder.helper.text import T, Text, pick

#: Where the side-by-side pages go in --out: a student's folder never starts with "_" (stage.safe_name).
FOLDER = "_similarity"

_CSS = """
body{font-family:-apple-system,'Segoe UI','Noto Sans KR','Malgun Gothic',sans-serif;margin:1.5em;color:#222}
.cols{display:flex;gap:1em}.cols>div{flex:1;min-width:0}
pre{background:#f6f8fa;padding:.6em;border-radius:6px;overflow-x:auto;font-size:.85em;line-height:1.35}
mark{background:#ffd33d}
"""


def page_name(rank: int) -> str:
    return f"{FOLDER}/pair-{rank + 1:03d}.html"


def _back(lang: str) -> str:
    return f"<p><a href='../summary.html#similarity'>{escape(pick(T('Back to the summary', '요약으로'), lang))}</a></p>"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def explanation(report: Report) -> Text:
    """What the numbers mean, with the baseline measured on the lecture's independent solutions."""
    b = report.baseline
    if b.get("n"):
        base = T(f"Independent correct solutions of this lecture share {_pct(b['mean'])} of their code on average "
                 f"(95% of pairs at most {_pct(b['p95'])}, at most {_pct(b['max'])}; measured on {b['n']} solutions "
                 "built from the kit's correct forms of each function). ",
                 f"서로 독립적으로 작성한 정답 코드도 평균 {_pct(b['mean'])}를 공유합니다 (95%의 쌍은 {_pct(b['p95'])} 이하, "
                 f"최대 {_pct(b['max'])}; 함수마다 키트의 여러 정답 형태로 만든 정답 {b['n']}개로 측정). ")
    else:
        base = T("This lecture gives no independent solutions to measure what honest work shares. ",
                 "이 강의에는 정직한 풀이끼리 공유하는 정도를 잴 독립 정답이 없습니다. ")
    return T(base.en + "The template, the helper, what independent solutions share and passages in many files of "
             "the class are not counted: 'own code shared' is the part of each file's remaining code that the other "
             f"file has. Pairs at {_pct(report.threshold)} or more are listed, most similar first. This is evidence "
             "for a person to judge, never a penalty: no score depends on it.",
             base.ko + "템플릿, 도우미 파일, 독립 정답끼리 공유하는 부분, 반의 많은 파일에 나오는 부분은 세지 않습니다. "
             "'고유 코드 공유율'은 각 파일에 남은 코드 가운데 다른 파일에도 있는 비율입니다. "
             f"{_pct(report.threshold)} 이상인 쌍을 유사한 순서로 보여 줍니다. 사람이 판단할 근거일 뿐 감점이 아니며, "
             "어떤 점수도 이것에 따라 바뀌지 않습니다.")


def section_html(report: Report | None, flagged: list[tuple[str, Text]], lang: str) -> str:
    """The summary's section: the pairs over the threshold, and the rows flagged for another's set-up or 학번."""
    if report is None:
        return ""
    L = lambda en, ko: escape(pick(T(en, ko), lang))  # noqa: E731
    label = lambda key: escape(report.labels.get(key, key))  # noqa: E731
    rows = []
    for rank, p in enumerate(report.pairs):
        link = (f"<a href='{page_name(rank)}'>{L('side by side', '나란히 보기')}</a>" if p.html[0] or p.html[1] else "")
        rows.append(f"<tr><td>{rank + 1}</td><td>{label(p.a)}</td><td>{label(p.b)}</td>"
                    f"<td><b>{_pct(p.own[0])} / {_pct(p.own[1])}</b></td><td>{_pct(p.beyond[0])} / {_pct(p.beyond[1])}</td>"
                    f"<td>{_pct(p.shared[0])} / {_pct(p.shared[1])}</td><td>{link}</td></tr>")
    table = (f"<table><tr><th>#</th><th>A</th><th>B</th><th>{L('own code shared (A / B)', '고유 코드 공유율 (A / B)')}</th>"
             f"<th>{L('of the whole file, beyond independent solutions', '파일 전체 중 독립 정답 이상으로 공유')}</th>"
             f"<th>{L('all code shared, template excluded', '공유 코드 전체 (템플릿 제외)')}</th><th></th></tr>"
             f"{''.join(rows)}</table>" if rows else
             f"<p>{L('No pair of files is over the threshold.', '기준을 넘는 파일 쌍이 없습니다.')}</p>")
    flags = ""
    if flagged:
        items = "".join(f"<li><b>{escape(who)}</b>: {escape(pick(why, lang))}</li>" for who, why in flagged)
        flags = (f"<h3>{L('Beside them: set-up code or 학번 of someone else', '함께 볼 것: 다른 사람의 설정 코드나 학번')}"
                 f"</h3><ul>{items}</ul>")
    notes = "".join(f"<li>{escape(n)}</li>" for n in report.notes)
    notes = f"<p>{L('Notes', '참고')}:</p><ul>{notes}</ul>" if notes else ""
    return (f"<h2 id='similarity'>{L('Similar code', '유사한 코드')} ({len(report.pairs)})</h2>"
            f"<p>{escape(pick(explanation(report), lang))}</p>"
            f"<p>{L('Files compared', '비교한 파일')}: {report.compared}, {report.seconds:.1f} s</p>{table}{flags}{notes}")


def pair_pages(report: Report | None, lang: str) -> dict[str, str]:
    """{relative path: page} for each listed pair that has its code."""
    if report is None:
        return {}
    out = {}
    for rank, p in enumerate(report.pairs):
        if not (p.html[0] or p.html[1]):
            continue
        a, b = (escape(report.labels.get(k, k)) for k in (p.a, p.b))
        title = escape(pick(T("Similar code", "유사한 코드"), lang))
        legend = escape(pick(T("Marked: passages both files share beyond the template, independent solutions and "
                               "the class's common code.",
                               "표시된 부분: 템플릿, 독립 정답, 반의 공통 코드를 넘어 두 파일이 함께 가진 부분."), lang))
        out[page_name(rank)] = (
            f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{title} #{rank + 1}</title>"
            f"<style>{_CSS}</style></head><body><h1>{title} #{rank + 1}</h1>{_back(lang)}<p>{legend}</p>"
            f"<div class='cols'><div><h2>A: {a} ({_pct(p.own[0])})</h2><pre>{p.html[0]}</pre></div>"
            f"<div><h2>B: {b} ({_pct(p.own[1])})</h2><pre>{p.html[1]}</pre></div></div></body></html>\n")
    return out
