"""``team.html``: the coach's page of a batch, one self-contained file (no script, no network).

Athletes ranked by their mean overall score, how often each fault was found across the team
(out of the clips that could assess it), each athlete's clips linked to their reports, and an
athlete's overall score over time (an inline SVG) when clips carry dates. Clips that failed
are listed with their error; nothing is praised that was not measured (an athlete with no
scored clip is not ranked).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from analyzer import __version__
from analyzer.batch.summary import ClipRecord

TEMPLATE_DIR = Path(__file__).with_name("templates")
_SEVERITY_RANK = {"major": 0, "moderate": 1, "minor": 2}
CHART_SIZE_PX = (520, 170)


@dataclass
class ClipView:
    """One clip's line in an athlete's table."""

    record: ClipRecord
    overall: float | None = None
    categories: dict[str, float | None] = field(default_factory=dict)
    faults: list[dict[str, Any]] = field(default_factory=list)
    view: str = ""


@dataclass
class AthleteView:
    """An athlete's section: clips, mean score, chart."""

    name: str
    anchor: str
    clips: list[ClipView]
    mean_overall: float | None = None
    n_scored: int = 0
    chart: dict[str, Any] | None = None
    top_fault: tuple[str, int] | None = None


@dataclass
class FaultStat:
    """How often a fault was found among the clips that could assess it."""

    id: str
    title: str
    found: int
    assessable: int
    by_severity: dict[str, int]

    @property
    def percent(self) -> float:
        """Share of the assessable clips where it was found (0-100)."""
        return 100.0 * self.found / self.assessable if self.assessable else 0.0


def _clip_view(record: ClipRecord) -> ClipView:
    result = record.result
    if result is None:
        return ClipView(record=record)
    scores = result.get("scores") or {}
    faults = sorted(
        result.get("findings") or [], key=lambda f: _SEVERITY_RANK.get(f.get("severity"), 9)
    )
    return ClipView(
        record=record,
        overall=scores.get("overall"),
        categories=dict(scores.get("categories") or {}),
        faults=faults,
        view=(result.get("view") or {}).get("view", ""),
    )


def score_chart(points: list[tuple[str, float]]) -> dict[str, Any] | None:
    """Coordinates of an overall-score-over-time chart (None for fewer than two dates).

    x is proportional to the date, y to the score (0 at the bottom, 100 at the top).
    """
    dated = sorted((dt.date.fromisoformat(d), s) for d, s in points)
    if len({d for d, _ in dated}) < 2:
        return None
    w, h = CHART_SIZE_PX
    pad_l, pad_r, pad_t, pad_b = 36, 12, 10, 24
    d0, d1 = dated[0][0], dated[-1][0]
    span = max((d1 - d0).days, 1)

    def xy(d: dt.date, s: float) -> tuple[float, float]:
        x = pad_l + (w - pad_l - pad_r) * (d - d0).days / span
        y = pad_t + (h - pad_t - pad_b) * (1 - s / 100.0)
        return round(x, 1), round(y, 1)

    pts = [(*xy(d, s), d.isoformat(), s) for d, s in dated]
    return {
        "width": w,
        "height": h,
        "points": pts,
        "polyline": " ".join(f"{x},{y}" for x, y, _, _ in pts),
        "grid": [(s, xy(d0, s)[1]) for s in (0, 50, 100)],
        "first": d0.isoformat(),
        "last": d1.isoformat(),
        "left": pad_l,
        "right": w - pad_r,
        "bottom": h - 4,
    }


def _athletes(records: list[ClipRecord]) -> list[AthleteView]:
    by_name: dict[str, list[ClipView]] = {}
    for r in records:
        if r.status != "skipped" and r.athlete:
            by_name.setdefault(r.athlete, []).append(_clip_view(r))
    athletes = []
    for i, (name, clips) in enumerate(sorted(by_name.items())):
        clips.sort(key=lambda c: (c.record.date or "", c.record.clip))
        scored = [c.overall for c in clips if c.overall is not None]
        dated = [
            (c.record.date, c.overall) for c in clips if c.record.date and c.overall is not None
        ]
        titles = Counter(f.get("title") or f["id"] for c in clips for f in c.faults)
        athletes.append(
            AthleteView(
                name=name,
                anchor=f"athlete-{i}",
                clips=clips,
                mean_overall=sum(scored) / len(scored) if scored else None,
                n_scored=len(scored),
                chart=score_chart([(d, s) for d, s in dated if d is not None and s is not None]),
                top_fault=titles.most_common(1)[0] if titles else None,
            )
        )
    return athletes


def fault_stats(records: list[ClipRecord]) -> list[FaultStat]:
    """Each fault's frequency over the scored clips, most frequent first."""
    scored = [r.result for r in records if r.result is not None]
    stats: dict[str, FaultStat] = {}
    for res in scored:
        for f in res.get("findings") or []:
            s = stats.setdefault(f["id"], FaultStat(f["id"], f.get("title", f["id"]), 0, 0, {}))
            s.found += 1
            sev = str(f.get("severity", ""))
            s.by_severity[sev] = s.by_severity.get(sev, 0) + 1
    for s in stats.values():
        s.assessable = sum(
            1
            for res in scored
            if s.id
            not in {n["key"] for n in res.get("not_assessable") or [] if n.get("kind") == "fault"}
        )
    return sorted(stats.values(), key=lambda s: (-s.percent, -s.found, s.id))


def render_team_html(records: list[ClipRecord], *, title: str, href_base: str = "") -> str:
    """The page as a string (links to reports are ``href_base + out_rel + /report.html``)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    athletes = _athletes(records)
    ranked = sorted(
        (a for a in athletes if a.mean_overall is not None),
        key=lambda a: (-(a.mean_overall or 0.0), a.name),
    )
    counts: dict[str, int] = {}
    for r in records:
        counts[r.status] = counts.get(r.status, 0) + 1
    return env.get_template("team.html").render(
        title=title,
        athletes=athletes,
        ranked=ranked,
        unranked=[a for a in athletes if a.mean_overall is None],
        faults=fault_stats(records),
        problems=[r for r in records if r.status not in ("ok",)],
        counts=counts,
        href_base=href_base,
        version=__version__,
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )


def write_team_html(records: list[ClipRecord], path: Path, *, title: str) -> Path:
    """Write ``team.html`` atomically next to the athletes' folders."""
    text = render_team_html(records, title=title)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
