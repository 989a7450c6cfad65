"""Regenerate the bundled sample clips in sample_videos/ (bit for bit).

    python scripts/make_samples.py            # all samples
    python scripts/make_samples.py --check    # re-render into a temp dir, compare bytes
    python scripts/make_samples.py --only backpedal_side_left

Every clip is rendered by the project's own renderer (backpedal_dev.synth.render) from motion whose
licence allows shipping (see sample_videos/README.md), with a fixed seed, single-threaded
x264 and fixed zip timestamps, so the same code gives the same bytes.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backpedal_dev.synth.clips import camera_for_view, render_clip, truth_path_for  # noqa: E402
from backpedal_dev.synth.truth import SyntheticMotion  # noqa: E402

OUT_DIR = ROOT / "sample_videos"


@dataclass(frozen=True)
class Sample:
    """One bundled clip: where its motion comes from and how it is filmed."""

    name: str
    motion: Callable[[], SyntheticMotion]
    view: str
    seed: int
    fps: float = 60.0
    width: int = 1280
    height: int = 720
    crf: int = 23
    description: str = ""


def _parametric(fault: str | None = None, **knobs: object) -> Callable[[], SyntheticMotion]:
    """A parametric backpedal rep (clean, or with one fault), the project's own motion."""

    def make() -> SyntheticMotion:
        from backpedal_dev.synth.parametric import BackpedalParams, generate_backpedal

        kw = {"fps": 60.0, "backpedal_steps": 8, "sprint_steps": 3, **knobs}
        p = BackpedalParams.with_fault(fault, **kw) if fault else BackpedalParams.clean(**kw)
        return generate_backpedal(p)

    return make


SAMPLES: tuple[Sample, ...] = (
    Sample("backpedal_side_left", _parametric(), "side_left", seed=1,
           description="clean technique, camera on the athlete's left"),
    Sample("backpedal_side_right", _parametric(), "side_right", seed=2,
           description="clean technique, camera on the athlete's right"),
    Sample("backpedal_front", _parametric(), "front", seed=3,
           description="clean technique, camera on the backpedal line in front"),
    Sample("backpedal_fault_leaning_back", _parametric("leaning_back"), "side_left", seed=4,
           description="fault: leaning back (trunk behind vertical), camera on the left"),
)  # fmt: skip


def render_sample(sample: Sample, out_dir: Path) -> Path:
    """Render one sample clip (and its truth files) into ``out_dir``."""
    motion = sample.motion()
    cam = camera_for_view(sample.view, motion.landmarks_world, width=sample.width,
                          height=sample.height)  # fmt: skip
    out = out_dir / f"{sample.name}.mp4"
    render_clip(motion, cam, out, fps=sample.fps, seed=sample.seed, crf=sample.crf,
                view=sample.view)  # fmt: skip
    return out


def _outputs(out: Path) -> list[Path]:
    return [out, truth_path_for(out), out.with_name(out.stem + ".truth.json")]


def main(argv: list[str] | None = None) -> int:
    """Render the samples; with ``--check`` verify the committed ones are reproduced."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="render to a temp dir and compare")
    ap.add_argument("--only", nargs="*", help="names of samples to render")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = ap.parse_args(argv)
    chosen = [s for s in SAMPLES if not args.only or s.name in args.only]
    if args.check:
        bad = 0
        with tempfile.TemporaryDirectory() as tmp:
            for s in chosen:
                out = render_sample(s, Path(tmp))
                for new in _outputs(out):
                    old = args.out / new.name
                    same = old.exists() and filecmp.cmp(old, new, shallow=False)
                    print(f"{'same' if same else 'DIFFERENT'}  {new.name}")
                    bad += not same
        return 1 if bad else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for s in chosen:
        out = render_sample(s, args.out)
        size = out.stat().st_size
        print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}  {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
