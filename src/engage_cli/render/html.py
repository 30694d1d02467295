"""The weekly review as one self-contained HTML page: inline CSS and SVG, nothing fetched.

Pure: a ReviewPage in, the page's text out. People's text (names, notes, tags)
and every other value reach the page only through `_text`, the one place they
are escaped (with their control characters shown as stand-ins first, as on a
terminal: terminal.visible). The page holds no script and no URL, and its
Content-Security-Policy tells the browser to load nothing and run nothing.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from engage_cli.dates import fmt_local
from engage_cli.render.common import VERDICT_MEANING, days, delta_text, ratio_text
from engage_cli.reports import AskLine, Balance, Neglected, ReviewPage, Week
from engage_cli.reports.circles import CircleLine, CircleTrend
from engage_cli.terminal import visible

# The bars' colours are theirs alone (text is darker, to read well on white): a test
# finds the bars in a screenshot by them.
DEPOSIT_COLOR = "#1f9e5a"  # the deposit bars
ASK_COLOR = "#d9485f"  # the ask bars
LINE_COLOR = "#1a6fb5"  # each circle's charge

# On a narrow screen the weeks chart is drawn smaller, and its labels larger to stay legible.
CSS = f"""
:root {{ color-scheme: light; --dep: {DEPOSIT_COLOR}; --ask: {ASK_COLOR};
  --line: {LINE_COLOR}; --muted: #5b6670; --rule: #dfe3e7; --card: #fff;
  --dep-text: #157341; --ask-text: #b3263e; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: #f6f7f5; color: #1d2329;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }}
main {{ max-width: 46rem; margin: 0 auto; padding: 1rem; }}
h1 {{ font-size: 1.6rem; margin: .2rem 0 0; }}
h2 {{ font-size: 1.15rem; margin: 1.8rem 0 .6rem; padding-bottom: .2rem;
  border-bottom: 1px solid var(--rule); }}
h3 {{ font-size: 1rem; margin: 0; }}
p {{ margin: .4rem 0; }}
.muted, .why {{ color: var(--muted); }}
.why {{ font-size: .9rem; }}
.cards {{ display: grid; gap: .6rem;
  grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr)); }}
.card, .chart {{ background: var(--card); border: 1px solid var(--rule); border-radius: .5rem;
  padding: .6rem .75rem; }}
.card .label {{ font-size: .85rem; color: var(--muted); }}
.card .value {{ font-size: 1.5rem; font-weight: 650; line-height: 1.2; }}
.dep {{ color: var(--dep-text); }} .ask {{ color: var(--ask-text); }}
.verdict-all-task, .neg {{ color: var(--ask-text); }}
.verdict-engaged, .pos {{ color: var(--dep-text); }}
svg {{ display: block; width: 100%; height: auto; }}
svg text {{ fill: var(--muted); font-size: 13px; }}
svg .axis {{ stroke: #9aa4ad; stroke-width: 1; }}
svg .grid {{ stroke: var(--rule); stroke-width: 1; }}
svg .zero {{ stroke: #9aa4ad; stroke-width: 1; stroke-dasharray: 4 3; }}
.legend {{ font-size: .9rem; margin: 0 0 .3rem; }}
.swatch {{ display: inline-block; width: .8em; height: .8em; border-radius: 2px;
  margin: 0 .3em 0 .8em; vertical-align: -.05em; }}
.swatch.dep {{ background: var(--dep); }} .swatch.ask {{ background: var(--ask); }}
.multiples {{ display: grid; gap: .6rem;
  grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); }}
.scroll {{ overflow-x: auto; }}
table {{ border-collapse: collapse; width: 100%; font-size: .92rem; }}
th, td {{ padding: .3rem .45rem; text-align: left; border-bottom: 1px solid var(--rule);
  vertical-align: top; }}
th {{ font-weight: 600; color: var(--muted); }}
.n {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
ol, ul {{ padding-left: 1.3rem; }}
li {{ margin: .45rem 0; }}
footer {{ margin: 2rem 0 1rem; font-size: .85rem; color: var(--muted); }}
@media (max-width: 30rem) {{ main {{ padding: .6rem; }} body {{ font-size: 15px; }}
  .card .value {{ font-size: 1.3rem; }}
  #weeks-chart text {{ font-size: 16px; }} }}
@media print {{ body {{ background: #fff; }} .card, .chart {{ break-inside: avoid; }} }}
"""


def _text(value: object) -> str:
    """The one way any value enters the page: as text, escaped for content and attributes."""
    return html.escape(visible(str(value), newlines=False), quote=True)


def _n(value: float) -> str:
    """A coordinate in the SVG: two decimals at most."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _charge(value: float) -> str:
    value = 0.0 if abs(value) < 0.05 else value  # no "-0.0"
    return f"{value:+.1f}"


def _day(at: datetime) -> str:
    return fmt_local(at, False)


def _week_day(w: Week) -> str:
    return _day(w.start + timedelta(seconds=1))  # its first whole day


def _card(label: str, value: str, note: str, css: str = "") -> str:
    return (
        f'<div class="card"><div class="label">{_text(label)}</div>'
        f'<div class="value {_text(css)}">{_text(value)}</div>'
        f'<div class="why">{_text(note)}</div></div>'
    )


def _balance(b: Balance) -> list[str]:
    cur, prev = b.current, b.previous
    verdict_css = "verdict-" + cur.verdict.replace(" ", "-")
    out = [
        '<section id="balance"><h2>Balance</h2>',
        f'<p class="muted">{_text(_day(cur.start))} → {_text(_day(cur.end))} '
        f"({_text(b.period_days)} days)</p>",
        '<div class="cards">',
        _card("deposits", f"{cur.deposits:g}", delta_text(cur.deposits, prev.deposits), "dep"),
        _card(
            "withdrawals",
            f"{cur.withdrawals:g}",
            delta_text(cur.withdrawals, prev.withdrawals),
            "ask",
        ),
        _card("ratio", ratio_text(cur.ratio), f"previous: {ratio_text(prev.ratio)}"),
        _card("verdict", cur.verdict, VERDICT_MEANING[cur.verdict], verdict_css),
        "</div>",
    ]
    if b.rolling is not None and b.period_days < (b.rolling.end - b.rolling.start).days:
        r = b.rolling
        out.append(
            f"<p>Last {_text((r.end - r.start).days)} days: <strong>{_text(r.verdict)}</strong>"
            f" (deposits {_text(f'{r.deposits:g}')}, withdrawals {_text(f'{r.withdrawals:g}')})"
            "</p>"
        )
    if b.thank_first:
        out.append(
            f"<p><strong>Thank first:</strong> {_text(', '.join(b.thank_first))} "
            '<span class="why">(they gave unasked; you gave back less than half)</span></p>'
        )
    out.append("</section>")
    return out


def _axis(most: float) -> tuple[float, float]:
    """A round step (1, 2 or 5 times a power of ten) and the top of an axis that shows
    `most` in at most four steps: (0.0, 0.0) for nothing to show."""
    if most <= 0:
        return 0.0, 0.0
    power = 10.0 ** math.floor(math.log10(most / 4))
    step = next(f * power for f in (1, 2, 5, 10) if f * power * 4 >= most)
    return step, math.ceil(most / step - 1e-9) * step


def weeks_svg(weeks: Sequence[Week]) -> str:
    """Deposits and asks of each week as bars side by side, on one scale."""
    width, height, left, right, top, bottom = 480, 250, 50, 8, 14, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    step, scale = _axis(max([max(w.totals.deposits, w.totals.withdrawals) for w in weeks] + [0.0]))
    slot = plot_w / max(1, len(weeks))
    bar_w = slot * 0.36
    first, last = (_week_day(weeks[0]), _day(weeks[-1].end)) if weeks else ("", "")
    out = [
        f'<svg id="weeks-chart" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="weeks-title">',
        f'<title id="weeks-title">Deposits and asks per week, {_text(first)} to '
        f"{_text(last)}</title>",
    ]
    ticks = round(scale / step) if scale else 0
    for k in range(ticks + 1):  # a line and a label at each step, 0 at the bottom
        y = top + plot_h * (1 - k / ticks if ticks else 1)
        out.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{_n(y)}" y2="{_n(y)}"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{_n(y + 4)}" text-anchor="end">'
            f"{_text(f'{k * step:g}')}</text>"
        )
    for i, w in enumerate(weeks):
        x = left + i * slot + slot * 0.12
        for kind, value, color, dx in (
            ("dep", w.totals.deposits, DEPOSIT_COLOR, 0.0),
            ("ask", w.totals.withdrawals, ASK_COLOR, bar_w + slot * 0.04),
        ):
            h = value / scale * plot_h if scale else 0.0
            what = "deposited" if kind == "dep" else "asked"
            out.append(
                f'<rect class="bar {kind}" data-week="{i}" data-value="{_text(f"{value:g}")}" '
                f'x="{_n(x + dx)}" y="{_n(top + plot_h - h)}" width="{_n(bar_w)}" '
                f'height="{_n(h)}" fill="{color}"><title>week of {_text(_week_day(w))}: '
                f"{_text(f'{value:g}')} {what}</title></rect>"
            )
        label = _week_day(w)[5:]  # MM-DD: the year is in the title
        out.append(
            f'<text x="{_n(left + (i + 0.5) * slot)}" y="{height - bottom + 18}" '
            f'text-anchor="middle">{_text(label)}</text>'
        )
    base = top + plot_h
    out.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{base}" y2="{base}"/>')
    out.append(
        f'<text x="{left + plot_w / 2}" y="{height - 4}" text-anchor="middle">week of</text></svg>'
    )
    return "".join(out)


def _weeks(weeks: Sequence[Week]) -> list[str]:
    rows = "".join(
        f"<tr><td>{_text(_week_day(w))}</td><td class='n dep'>{_text(f'{w.totals.deposits:g}')}"
        f"</td><td class='n ask'>{_text(f'{w.totals.withdrawals:g}')}</td>"
        f"<td>{_text(w.totals.verdict)}</td></tr>"
        for w in weeks
    )
    return [
        '<section id="weeks"><h2>The last eight weeks</h2>',
        '<p class="legend"><span class="swatch dep"></span>deposits'
        '<span class="swatch ask"></span>asks</p>',
        f'<div class="chart">{weeks_svg(weeks)}</div>',
        '<details><summary>The numbers</summary><div class="scroll"><table>'
        "<tr><th>week of</th><th class='n'>deposits</th><th class='n'>asks</th>"
        f"<th>verdict</th></tr>{rows}</table></div></details>",
        "</section>",
    ]


def circle_svg(line: CircleLine, moments: Sequence[datetime]) -> str:
    """One circle's charge at each moment as a line, with its zero."""
    width, height, left, right, top, bottom = 300, 150, 42, 10, 12, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi = min((0.0, *line.charges)), max((0.0, *line.charges))
    hi = hi if hi > lo else lo + 1.0
    step = plot_w / (len(moments) - 1) if len(moments) > 1 else 0.0

    def at(i: int, value: float) -> tuple[float, float]:
        x = left + (i * step if len(moments) > 1 else plot_w / 2)
        return x, top + (hi - value) / (hi - lo) * plot_h

    name = _text(line.circle)
    first, last = (_day(moments[0]), _day(moments[-1])) if moments else ("", "")
    out = [
        f'<svg class="circle-chart" data-circle="{name}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="circle-{name}">',
        f'<title id="circle-{name}">Charge of the {name} circle at the end of each week, '
        f"{_text(first)} to {_text(last)}</title>",
    ]
    zero = at(0, 0.0)[1]
    out.append(
        f'<line class="zero" x1="{left}" x2="{width - right}" y1="{_n(zero)}" y2="{_n(zero)}"/>'
    )
    for value in sorted({hi, lo, 0.0}):  # each label once, in the same order every time
        out.append(
            f'<text x="{left - 5}" y="{_n(at(0, value)[1] + 4)}" text-anchor="end">'
            f"{_text(_charge(value) if value else '0')}</text>"
        )
    points = [at(i, v) for i, v in enumerate(line.charges)]
    out.append(
        f'<polyline class="charge" fill="none" stroke="{LINE_COLOR}" stroke-width="2.5" '
        f'stroke-linejoin="round" points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in points)}"/>'
    )
    for (x, y), value, moment in zip(points, line.charges, moments, strict=True):
        out.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.2" fill="{LINE_COLOR}" '
            f'data-value="{_text(f"{value:.6g}")}">'
            f"<title>{_text(_day(moment))}: {_text(_charge(value))}</title></circle>"
        )
    for day, anchor, x in ((first, "start", left), (last, "end", width - right)):
        out.append(f'<text x="{x}" y="{height - 6}" text-anchor="{anchor}">{_text(day)}</text>')
    out.append("</svg>")
    return "".join(out)


def _circles(trend: CircleTrend) -> list[str]:
    out = ['<section id="circles"><h2>Charge by circle</h2>']
    if not trend.circles:
        out.append('<p class="muted">no contacts yet</p></section>')
        return out
    out.append(
        '<p class="muted">The sum of the charges of each circle\'s contacts at the end of '
        "each week.</p>"
    )
    out.append('<div class="multiples">')
    for line in trend.circles:
        now, then = line.charges[-1], line.charges[0]
        css = "neg" if now < 0 else "pos"
        people = line.contacts[-1]
        out.append(
            f'<div class="chart"><h3>{_text(line.circle)} '
            f'<span class="{css}">{_text(_charge(now))}</span></h3>'
            f'<p class="why">{_text(people)} {"contact" if people == 1 else "contacts"}; '
            f"{_text(_charge(now - then))} over the weeks shown</p>"
            f"{circle_svg(line, trend.moments)}</div>"
        )
    out.append("</div></section>")
    return out


def _due(late: float, thank: bool, overdrawn: bool) -> str:
    if thank:
        return "thank first"
    if overdrawn and late <= 0:
        return "overdrawn"
    if late > 0:
        return f"overdue {int(late)}d" if late >= 1 else "due now"
    return f"due in {math.ceil(-late)}d"


def _reconnect(n: Neglected) -> list[str]:
    out = ['<section id="reconnect"><h2>Who to reconnect with</h2>']
    if not n.lines and n.next_due is not None:
        name, in_days = n.next_due
        out.append(f"<p>Nobody is overdue; next due: {_text(name)} in {_text(days(in_days))}.</p>")
    elif not n.lines:
        out.append('<p class="muted">No one yet.</p>')
    else:
        out.append("<ol>")
        for line in n.lines:
            r = line.row
            due = _due(r.days_since - r.cadence_days, r.thank_first, r.overdrawn)
            out.append(
                f"<li><strong>{_text(r.name)}</strong> "
                f'<span class="muted">{_text(r.circle)} · {_text(due)} · charge '
                f"{_text(_charge(r.charge))}</span><br>{_text(line.suggestion)}</li>"
            )
        out.append("</ol>")
        if n.total > len(n.lines):
            out.append(f'<p class="muted">… {_text(n.total - len(n.lines))} more.</p>')
    out.append("</section>")
    return out


def _prompts(prompts: Iterable[tuple[str, str]]) -> list[str]:
    items = "".join(
        f'<li>{_text(q)}<br><span class="why">({_text(why)})</span></li>' for q, why in prompts
    )
    return ['<section id="prompts"><h2>Reflect</h2>', f"<ul>{items}</ul></section>"]


def _asks(lines: Sequence[AskLine]) -> list[str]:
    out = ['<section id="asks"><h2>Open asks getting old</h2>']
    if not lines:
        out.append('<p class="muted">None older than two weeks.</p></section>')
        return out
    items = "".join(
        f"<li><strong>{_text(a.entry.contact)}</strong> "
        f'<span class="muted">{_text(f"{a.entry.points:g}")} points, asked '
        f"{_text(_day(a.entry.occurred_at))} ({_text(days(a.age_days))} ago)</span>"
        + (f"<br>{_text(a.entry.note)}" if a.entry.note else "")
        + "</li>"
        for a in lines
    )
    out.append(f"<ul>{items}</ul></section>")
    return out


def _contacts(b: Balance) -> list[str]:
    if not b.contacts:
        return []
    rows = "".join(
        f"<tr><td>{_text(c.name)}</td><td>{_text(c.circle)}</td>"
        f"<td class='n'>{_text(_charge(c.charge))}</td>"
        f"<td class='n dep'>{_text(f'{c.deposits:g}' if c.deposits else '·')}</td>"
        f"<td class='n ask'>{_text(f'{c.withdrawals:g}' if c.withdrawals else '·')}</td>"
        f"<td>{_text(c.status)}</td></tr>"
        for c in b.contacts
    )
    return [
        '<section id="contacts"><h2>In this period</h2><div class="scroll"><table>'
        "<tr><th>contact</th><th>circle</th><th class='n'>charge</th><th class='n'>dep</th>"
        f"<th class='n'>asks</th><th>status</th></tr>{rows}</table></div></section>"
    ]


def review_page(page: ReviewPage) -> str:
    """The whole page: balance, weeks, circles, who to call, prompts, old asks, contacts."""
    r = page.review
    when = fmt_local(r.balance.as_of)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="generator" content="engage">',
        f"<title>Weekly review, as of {_text(when)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        f'<header><h1>Weekly review</h1><p class="muted">as of {_text(when)}</p></header>',
        *_balance(r.balance),
        *_weeks(r.weeks),
        *_circles(page.circles),
        *_reconnect(r.neglected),
        *_prompts(r.neglected.prompts),
        *_asks(r.old_asks),
        *_contacts(r.balance),
        "<footer>Written by engage from your ledger; it holds what the ledger holds "
        "about these people: keep it as private as the ledger.</footer>",
        "</main></body></html>\n",
    ]
    return "\n".join(parts)
