"""Errors the library raises: each says what went wrong and how to fix it.

The library raises; the CLI and the web app present. Every error carries a ``hint``
(what the user can do about it) and the CLI exit code it maps to (1: analysis error).
"""

from __future__ import annotations

from analyzer.filming import FILMING_GUIDE


class AnalyzerError(Exception):
    """Base class of every error the analyzer raises on purpose.

    Parameters
    ----------
    message
        What is wrong, in one sentence a coach or athlete understands.
    hint
        What to do about it.
    """

    exit_code: int = 1
    default_hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message


class VideoError(AnalyzerError):
    """A problem with the input clip itself."""


class NotAVideoError(VideoError):
    """The file exists but is not a video container OpenCV/FFmpeg can read."""

    default_hint = (
        "Check that you picked the right file: export it as .mp4 or .mov from your phone."
    )


class EmptyVideoError(VideoError):
    """The file is empty or holds no decodable frame."""

    default_hint = "The file has no picture in it: record or export the clip again."


class CorruptVideoError(VideoError):
    """The clip breaks off while being decoded."""

    default_hint = "Copy the clip from the phone again (the transfer may have been cut short)."


class UnsupportedCodecError(VideoError):
    """The clip's video codec cannot be decoded here."""

    default_hint = (
        "Convert it to H.264 mp4, e.g. `ffmpeg -i CLIP -c:v libx264 -crf 18 out.mp4`, "
        "or set the phone camera to 'Most Compatible'."
    )


class ClipTooShortError(VideoError):
    """The clip (or the part with a person in it) is too short to analyse."""

    default_hint = (
        "Film the whole rep: the ready stance, at least 5 yards of backpedal, the turn and "
        "3 sprint steps (about 3 seconds or more)."
    )


class SidewaysVideoError(VideoError):
    """The people appear lying on their side (or upside down): the clip is rotated wrongly.

    ``rotate_deg`` is the clockwise rotation of the stored picture that makes it upright
    (what ``--rotate`` / ``AnalysisSettings.rotate_deg`` should be), when known.
    """

    default_hint = (
        "Give the rotation with --rotate 90, 180 or 270 (degrees clockwise), or rotate the "
        "clip upright before uploading; film with the phone's orientation lock off so the "
        "phone stores the rotation."
    )

    def __init__(self, message: str, hint: str | None = None, *, rotate_deg: int | None = None):
        super().__init__(message, hint)
        self.rotate_deg = rotate_deg


class NoPersonError(AnalyzerError):
    """No person was found in (enough of) the clip."""

    default_hint = (
        "Make sure the whole athlete, head to feet, is in the picture and lit. "
        + FILMING_GUIDE["side"]
    )


class TrackFormatError(AnalyzerError):
    """A pose track file does not follow the documented format."""

    default_hint = "See 'The track file' in the README for the required arrays and shapes."


class ModelError(AnalyzerError):
    """The pose model could not be found or loaded."""

    default_hint = (
        "Reinstall with `bash scripts/install.sh` (it installs mediapipe 0.10.21, which ships "
        "the BlazePose model), or pass --model PATH to a BlazePose .task file."
    )


class ProfileError(AnalyzerError):
    """A fault-threshold profile is missing or invalid (a usage error: exit code 2)."""

    exit_code = 2
    default_hint = (
        "Run `backpedal profiles` to list the profiles, and compare yours with one of them."
    )


class ConfigError(AnalyzerError):
    """A settings value is invalid (a usage error: exit code 2)."""

    exit_code = 2


class ResultFormatError(AnalyzerError):
    """A ``result.json`` cannot be read back (another schema version, damaged, incomplete)."""

    default_hint = "Re-run `backpedal analyze` on the clip to write a current result.json."
