"""Profiles are data: they load, validate, reject unknown keys, extend, and are listed."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from analyzer.errors import ProfileError
from analyzer.faults import evaluate_faults, list_profiles, load_profile
from analyzer.faults.coaching import DRILLS, FAULT_TEXT
from analyzer.faults.profiles import profile_dirs
from tests.faults.helpers import make_motion

BUILTIN = ("db-backpedal", "youth", "sled-resisted", "backward-run", "read-step", "in-place")
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_profiles_load_and_every_number_has_a_source(name: str) -> None:
    prof = load_profile(name)
    assert prof.name == name and prof.description
    for key, m in prof.metrics.items():
        assert m.source.strip(), key
        if m.scored:
            assert m.band is not None and m.category, key
    for fid, f in prof.faults.items():
        assert f.source.strip(), fid
    assert prof.scoring.source and prof.fatigue.source


def test_list_profiles_has_the_four_with_descriptions() -> None:
    infos = {i.name: i for i in list_profiles()}
    assert set(BUILTIN) <= set(infos)
    assert list_profiles()[0].name == "db-backpedal"
    assert all(infos[n].description for n in BUILTIN)


def test_profiles_ship_inside_the_package_too() -> None:
    # analyzer/profiles (package data) must hold the same files as models/profiles
    pkg = REPO / "analyzer" / "profiles"
    assert pkg.is_dir()
    assert {p.name for p in pkg.glob("*.toml")} == {
        p.name for p in (REPO / "models" / "profiles").glob("*.toml")
    }
    assert profile_dirs()


def _write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_unknown_key_is_rejected_naming_key_and_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[profile]\nextends = "db-backpedal"\n'
        '[metrics.hip_height_ratio]\ngoood = [0.7, 0.9]\nsource = "me"\n',
    )
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert "metrics.hip_height_ratio.goood" in err.value.message
    assert str(path) in err.value.message
    assert "good" in err.value.message  # did-you-mean


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("[scoring]\nok_floor = 60\n", "scoring.ok_floor"),
        (
            "[faults.slow_feet]\nany = [{ metric = 'cadence_steps_per_s', zone = 'low', "
            "sometimes = true }]\nsource = 'x'\n",
            "sometimes",
        ),
        ("[colours]\nred = 1\n", "colours"),
    ],
)
def test_unknown_keys_anywhere_are_rejected(tmp_path: Path, body: str, needle: str) -> None:
    path = _write(tmp_path, f'[profile]\nextends = "db-backpedal"\n{body}')
    with pytest.raises(ProfileError, match=needle):
        load_profile(path)


def test_rule_on_an_undeclared_metric_is_rejected(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[profile]\nextends = "db-backpedal"\n[faults.slow_feet]\n'
        'any = [{ metric = "cadense", zone = "low" }]\nsource = "me"\n',
    )
    with pytest.raises(ProfileError, match="cadense"):
        load_profile(path)


def test_band_that_does_not_nest_is_rejected(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[profile]\nextends = "db-backpedal"\n[metrics.hip_height_ratio]\n'
        'good = [0.6, 0.9]\nok = [0.7, 0.95]\nsource = "me"\n',
    )
    with pytest.raises(ProfileError, match="inside ok"):
        load_profile(path)


def test_changed_threshold_without_source_is_rejected(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[profile]\nextends = "db-backpedal"\n[metrics.cadence_steps_per_s]\ngood = [3.8, inf]\n',
    )
    with pytest.raises(ProfileError, match="source"):
        load_profile(path)


def test_unknown_drill_is_rejected(tmp_path: Path) -> None:
    path = _write(
        tmp_path, '[profile]\nextends = "db-backpedal"\n[faults.slow_feet]\ndrills = ["juggling"]\n'
    )
    with pytest.raises(ProfileError, match="juggling"):
        load_profile(path)


def test_extends_cycle_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, '[profile]\nextends = "b.toml"\n', "a.toml")
    _write(tmp_path, '[profile]\nextends = "a.toml"\n', "b.toml")
    with pytest.raises(ProfileError, match="circle"):
        load_profile(tmp_path / "a.toml")


def test_not_toml_and_missing_profile(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(_write(tmp_path, "[profile\n"))
    with pytest.raises(ProfileError, match="No profile named"):
        load_profile("no-such-profile")
    with pytest.raises(ProfileError, match="does not exist"):
        load_profile(tmp_path / "missing.toml")


def test_coach_tuned_profile_changes_the_verdict(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[profile]\nextends = "db-backpedal"\nname = "our-team"\n'
        "[metrics.cadence_steps_per_s]\ngood = [4.2, inf]\nok = [3.8, inf]\n"
        'source = "our coaches, 2026 film review"\n',
    )
    prof = load_profile(path)
    assert prof.name == "our-team"
    motion = make_motion({"cadence_steps_per_s": 3.5})
    assert "slow_feet" not in {f.id for f in evaluate_faults(motion, load_profile()).findings}
    report = evaluate_faults(motion, prof)
    assert report.profile == "our-team"
    assert "slow_feet" in {f.id for f in report.findings}


def test_full_copy_of_the_default_is_a_valid_profile(tmp_path: Path) -> None:
    text = (REPO / "models" / "profiles" / "db-backpedal.toml").read_text()
    prof = load_profile(_write(tmp_path, text.replace('name = "db-backpedal"', 'name = "copy"')))
    assert prof.name == "copy" and prof.metrics == load_profile().metrics


def test_youth_is_gentler_and_focused() -> None:
    youth, adult = load_profile("youth"), load_profile()
    motion = make_motion({"hip_height_ratio": 0.96, "transition_time_s": 0.55})
    assert {f.id for f in evaluate_faults(motion, adult).findings} == {
        "standing_tall",
        "slow_hip_flip",
    }
    assert evaluate_faults(motion, youth).findings == []
    assert youth.max_findings == 3
    many = make_motion(
        {
            "hip_height_ratio": 0.99,
            "trunk_lean_deg": 2.0,
            "arm_swing_deg": 10.0,
            "cadence_steps_per_s": 2.0,
            "hip_rise": 0.2,
        }
    )
    report = evaluate_faults(many, youth)
    assert len(report.findings) > 3 and len(report.focus) == 3


def test_sled_mode_allows_more_lean_slower_feet_and_no_turn_verdicts() -> None:
    sled = load_profile("sled-resisted")
    motion = make_motion(
        {
            "trunk_lean_deg": 52.0,
            "cadence_steps_per_s": 2.7,
            "transition_time_s": 0.9,
            "hip_rise": 0.2,
        }
    )
    adult_ids = {f.id for f in evaluate_faults(motion, load_profile()).findings}
    assert {"bent_over", "slow_feet", "slow_hip_flip", "popping_up"} <= adult_ids
    report = evaluate_faults(motion, sled)
    assert report.findings == []
    assert "transition_time_s" not in report.scores.metrics
    assert report.scores.categories["transition"] is None


def test_backward_run_judges_an_upright_runner() -> None:
    run = load_profile("backward-run")
    upright = make_motion(
        {
            "hip_height_ratio": 0.99,
            "trunk_lean_deg": 5.0,
            "knee_flexion_deg": 45.0,
            "shoulder_over_knee_index": -0.7,
        }
    )
    assert evaluate_faults(upright, run).findings == []
    adult_ids = {f.id for f in evaluate_faults(upright, load_profile()).findings}
    assert {"standing_tall", "leaning_back"} <= adult_ids
    crouched = make_motion({"trunk_lean_deg": 35.0, "knee_flexion_deg": 80.0})
    ids = {f.id for f in evaluate_faults(crouched, run).findings}
    assert {"bent_over", "sitting_too_low"} <= ids
    title = next(f for f in evaluate_faults(crouched, run).findings if f.id == "sitting_too_low")
    assert title.title == "Running in a crouch"


def test_every_fault_has_text_and_its_drills_exist() -> None:
    for name in BUILTIN:
        for fid in load_profile(name).faults:
            assert fid in FAULT_TEXT, fid
    for fid, text in FAULT_TEXT.items():
        assert text.title and text.cue and text.why, fid
        assert 1 <= len(text.drills) <= 2, fid
        assert all(d in DRILLS for d in text.drills), fid


def test_infinite_limits_survive_into_json_as_null() -> None:
    report = evaluate_faults(make_motion({"cadence_steps_per_s": 2.5}), load_profile())
    band = next(f for f in report.findings if f.id == "slow_feet").band
    assert band.good is not None and band.good[1] is None and band.fault_below == 3.0
    values = [v for f in dataclasses.fields(band) for v in _flat(getattr(band, f.name))]
    assert not any(isinstance(v, float) and math.isinf(v) for v in values)


def _flat(value):
    return value if isinstance(value, tuple) else (value,)
