"""Fault-threshold profiles: coach-editable TOML files, loaded and validated here.

A profile holds every number the verdicts use (METRICS.md §7 bands, §9 rules, §10 weights,
§11 mode changes), each with a ``source`` saying where it comes from. Code in
``analyzer.faults`` holds no thresholds of its own.

Where profiles live (first match wins, by file stem):

1. a path given by the user (``load_profile("my-team.toml")``);
2. ``models/profiles/`` of a source checkout (the canonical files);
3. ``analyzer/profiles/`` inside the installed package (shipped as package data; in the
   repository this is a symlink to ``models/profiles``).

A profile may say ``extends = "db-backpedal"`` (a built-in name or a path relative to its
own file) and then only list what it changes: tables are merged key by key, other values
(including rule lists) replace the parent's.

This module is the only place in ``analyzer.faults`` that reads files.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path
from typing import Any

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from analyzer.errors import ProfileError
from analyzer.faults.schema import (
    CATEGORIES,
    LEVELS,
    SUPPORTS,
    VIEWS,
    ZONES,
    Band,
    Condition,
    FatigueSpec,
    FaultSpec,
    MetricSpec,
    Profile,
    ProfileInfo,
    ScoringSpec,
)
from analyzer.faults.validation import check_file_keys, parse_profile

DEFAULT_PROFILE = "db-backpedal"

__all__ = [
    "CATEGORIES",
    "DEFAULT_PROFILE",
    "LEVELS",
    "SUPPORTS",
    "VIEWS",
    "ZONES",
    "Band",
    "Condition",
    "FatigueSpec",
    "FaultSpec",
    "MetricSpec",
    "Profile",
    "ProfileError",
    "ProfileInfo",
    "ScoringSpec",
    "list_profiles",
    "load_profile",
    "parse_profile",
    "profile_dirs",
    "resolve_profile_path",
]


# --------------------------------------------------------------------------- files (the edge)


def profile_dirs() -> list[Path]:
    """Folders holding the built-in profiles: the checkout's ``models/profiles``, then the
    package's ``analyzer/profiles`` (package data when installed from a wheel)."""
    dirs: list[Path] = []
    repo = Path(__file__).resolve().parents[2] / "models" / "profiles"
    if repo.is_dir():
        dirs.append(repo)
    try:
        pkg = Path(str(resources.files("analyzer") / "profiles"))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - zipped installs
        pkg = None
    if pkg is not None and pkg.is_dir() and all(pkg.resolve() != d.resolve() for d in dirs):
        dirs.append(pkg)
    return dirs


def _builtin_path(name: str) -> Path | None:
    for folder in profile_dirs():
        candidate = folder / f"{name}.toml"
        if candidate.is_file():
            return candidate
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ProfileError(f"Cannot read profile {path}: {exc.strerror}.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(
            f"Profile {path} is not valid TOML: {exc}.",
            "Check quotes, brackets and commas near the line named above.",
        ) from exc


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value (numbers, text, lists) replaces."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve_profile_path(name_or_path: str | Path) -> Path:
    """The file a profile name or path refers to; raises ProfileError if there is none."""
    text = str(name_or_path)
    path = Path(text).expanduser()
    if path.suffix == ".toml" or path.is_file() or "/" in text:
        if not path.is_file():
            raise ProfileError(f"Profile file {path} does not exist.")
        return path
    found = _builtin_path(text)
    if found is None:
        known = [p.name for p in list_profiles()]
        close = difflib.get_close_matches(text, known, n=1)
        guess = f" Did you mean '{close[0]}'?" if close else ""
        names = ", ".join(known) or "none found"
        raise ProfileError(f"No profile named '{text}' (available: {names}).{guess}")
    return found


_NUMERIC_KEYS = {"good", "ok", "hard", "falloff", "weight", "error", "skip_if", "any"}


def _require_sources(data: dict[str, Any], path: Path) -> None:
    """In a profile that extends another, every changed threshold must say where it comes from."""
    for section in ("metrics", "faults"):
        tables = data.get(section, {})
        if not isinstance(tables, dict):
            continue
        for key, table in tables.items():
            if isinstance(table, dict) and _NUMERIC_KEYS & set(table) and "source" not in table:
                changed = ", ".join(sorted(_NUMERIC_KEYS & set(table)))
                raise ProfileError(
                    f"Profile {path}: [{section}.{key}] changes {changed} but gives no 'source'.",
                    'Add source = "..." naming where the new numbers come from '
                    "(a study, a coaching source, or 'engineering judgement').",
                )


def _load_merged(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    if path.resolve() in seen:
        chain = " -> ".join(str(p) for p in (*seen, path.resolve()))
        raise ProfileError(f"Profile {path}: 'extends' goes round in a circle ({chain}).")
    data = _read_toml(path)
    check_file_keys(data, file=str(path))
    head = data.get("profile", {})
    parent = head.get("extends") if isinstance(head, dict) else None
    if not parent:
        return data
    parent_path = Path(parent)
    if parent_path.suffix == ".toml" and not parent_path.is_absolute():
        parent_path = path.parent / parent_path
    else:
        parent_path = resolve_profile_path(parent)
    _require_sources(data, path)
    base = _load_merged(parent_path, (*seen, path.resolve()))
    # The child's own [profile] head wins whole (name/description are not inherited).
    merged = _merge(base, {k: v for k, v in data.items() if k != "profile"})
    merged["profile"] = head
    return merged


def load_profile(name_or_path: str | Path = DEFAULT_PROFILE) -> Profile:
    """Load and validate a profile by built-in name (``db-backpedal``) or TOML path.

    Raises
    ------
    ProfileError
        The profile does not exist, is not TOML, or fails validation (the message names
        the offending key and file).
    """
    path = resolve_profile_path(name_or_path)
    data = _load_merged(path, ())
    return parse_profile(data, name=path.stem, file=str(path))


def list_profiles() -> list[ProfileInfo]:
    """Built-in profiles (first folder wins on a name clash), sorted with the default first."""
    found: dict[str, ProfileInfo] = {}
    for folder in profile_dirs():
        for path in sorted(folder.glob("*.toml")):
            if path.stem in found:
                continue
            try:
                head = _read_toml(path).get("profile", {})
            except ProfileError as exc:
                head = {"description": f"(unreadable: {exc.message})"}
            found[path.stem] = ProfileInfo(
                name=path.stem,
                description=str(head.get("description", "")),
                path=path,
                extends=str(head.get("extends", "")),
            )
    return sorted(found.values(), key=lambda p: (p.name != DEFAULT_PROFILE, p.name))
