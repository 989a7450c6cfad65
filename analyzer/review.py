"""A coach's review of one clip: decisions on findings, notes, and the coach's own flags.

The analyzer flags moments; the coach confirms or dismisses each finding (with an optional
note) and may add flags of their own at a frame. This module holds that review as frozen
data and its one JSON form, shared by:

- the web app (stored as rows; exported at ``clips/<id>/review.json``, imported back),
- the offline ``report.html`` (its stepper downloads decisions in this form),
- the Kinovea writer (``analyzer.render.kva``: decisions and flags become comments).

The JSON form (``"format": "backpedal-review/1"``)::

    {"format": "backpedal-review/1", "clip_sha256": "...", "clip": "name.mp4",
     "decisions": [{"finding_id": "high_hips", "decision": "confirmed", "note": "..."}],
     "flags": [{"frame": 120, "time_s": 2.0, "note": "..."}]}

Pure data and validation; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, cast

from analyzer.errors import AnalyzerError

REVIEW_FORMAT = "backpedal-review/1"
DECISIONS: tuple[str, ...] = ("confirmed", "dismissed")
#: Longest note kept (characters); longer notes are refused, not cut.
MAX_NOTE_CHARS = 2000
#: Most entries one imported review may hold (a clip has a few findings and flags).
MAX_ENTRIES = 500

Decision = Literal["confirmed", "dismissed"]


class ReviewFormatError(AnalyzerError):
    """A review file that is not a backpedal review, or one for another clip."""


@dataclass(frozen=True)
class FindingDecision:
    """The coach's verdict on one finding of the clip (by the finding's ``id``)."""

    finding_id: str
    decision: Decision
    note: str = ""


@dataclass(frozen=True)
class CoachFlag:
    """A moment the coach flagged themselves, with a note."""

    frame: int
    note: str
    time_s: float | None = None


@dataclass(frozen=True)
class Review:
    """Everything a coach decided about one clip."""

    decisions: tuple[FindingDecision, ...] = ()
    flags: tuple[CoachFlag, ...] = ()
    clip_sha256: str = ""
    clip: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def decision_for(self, finding_id: str) -> FindingDecision | None:
        """The decision on ``finding_id``, if the coach made one."""
        for d in self.decisions:
            if d.finding_id == finding_id:
                return d
        return None

    @property
    def is_empty(self) -> bool:
        return not self.decisions and not self.flags


def review_to_dict(review: Review) -> dict[str, Any]:
    """The JSON form of a review (see the module docstring)."""
    out: dict[str, Any] = {
        "format": REVIEW_FORMAT,
        "clip_sha256": review.clip_sha256,
        "clip": review.clip,
        "decisions": [
            {"finding_id": d.finding_id, "decision": d.decision, "note": d.note}
            for d in review.decisions
        ],
        "flags": [{"frame": f.frame, "time_s": f.time_s, "note": f.note} for f in review.flags],
    }
    out.update({k: v for k, v in review.meta.items() if k not in out})
    return out


def review_from_dict(
    doc: Any, *, finding_ids: set[str] | None = None, n_frames: int | None = None
) -> Review:
    """Read and check a review's JSON form.

    ``finding_ids`` and ``n_frames`` (the clip's) refuse decisions on findings the clip does
    not have and flags outside the clip. Raises :class:`ReviewFormatError` with what is wrong
    and how to fix it.
    """
    hint = "Download the decisions again from the report of this clip (Download my review)."
    if not isinstance(doc, dict) or doc.get("format") != REVIEW_FORMAT:
        raise ReviewFormatError(
            f'This file is not a backpedal review (expected "format": "{REVIEW_FORMAT}").',
            hint,
        )
    raw_decisions = doc.get("decisions") or []
    raw_flags = doc.get("flags") or []
    if not isinstance(raw_decisions, list) or not isinstance(raw_flags, list):
        raise ReviewFormatError("The review's decisions and flags must be lists.", hint)
    if len(raw_decisions) + len(raw_flags) > MAX_ENTRIES:
        raise ReviewFormatError(f"The review holds more than {MAX_ENTRIES} entries.", hint)
    decisions: dict[str, FindingDecision] = {}
    for item in raw_decisions:
        fid = str(_get(item, "finding_id", hint))
        decision = _get(item, "decision", hint)
        if decision not in DECISIONS:
            raise ReviewFormatError(
                f"Unknown decision {decision!r} on {fid!r} (confirmed or dismissed).", hint
            )
        if finding_ids is not None and fid not in finding_ids:
            raise ReviewFormatError(f"This clip has no finding {fid!r}.", hint)
        decisions[fid] = FindingDecision(fid, cast(Decision, decision), _note(item, hint))
    flags = []
    for item in raw_flags:
        frame = _get(item, "frame", hint)
        if isinstance(frame, bool) or not isinstance(frame, int) or frame < 0:
            raise ReviewFormatError(f"A flag's frame must be a frame number, not {frame!r}.", hint)
        if n_frames is not None and frame >= n_frames:
            raise ReviewFormatError(
                f"A flag at frame {frame} lies past the clip's last frame ({n_frames - 1}).", hint
            )
        t = item.get("time_s")
        time_s = float(t) if isinstance(t, int | float) and not isinstance(t, bool) else None
        flags.append(CoachFlag(frame=frame, note=_note(item, hint), time_s=time_s))
    return Review(
        decisions=tuple(decisions.values()),
        flags=tuple(flags),
        clip_sha256=str(doc.get("clip_sha256") or ""),
        clip=str(doc.get("clip") or ""),
    )


def _get(item: Any, key: str, hint: str) -> Any:
    if not isinstance(item, dict) or key not in item:
        raise ReviewFormatError(f"An entry of the review has no {key!r}.", hint)
    return item[key]


def _note(item: dict[str, Any], hint: str) -> str:
    note = item.get("note") or ""
    if not isinstance(note, str):
        raise ReviewFormatError("A note must be text.", hint)
    if len(note) > MAX_NOTE_CHARS:
        raise ReviewFormatError(f"A note is longer than {MAX_NOTE_CHARS} characters.", hint)
    return note.strip()
