"""Parameters and key frames of phase segmentation (METRICS §6).

``PhaseParams`` holds the thresholds of :mod:`analyzer.events.phases` and
:mod:`analyzer.events.turn`; ``RepTiming`` the key frames of one rep. A module of its own so
that both can name them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.results import TransitionKind


@dataclass(frozen=True)
class PhaseParams:
    """Parameters of phase segmentation (METRICS §6, [EJ] defaults).

    Attributes
    ----------
    onset_speed_leg_per_s, onset_min_s
        Movement onset: hip speed above 0.3 L/s for at least 0.1 s.
    still_speed_leg_per_s, ready_min_s
        Ready stance: hip speed below 0.2 L/s (scored when it lasts >= 0.3 s).
    min_backpedal_s
        Shortest backward run taken as a backpedal.
    merge_gap_s
        Backward runs separated by less than this are one backpedal.
    min_travel_touchdowns
        A stretch of travel (runs ``merge_gap_s`` apart taken as one) counts only with at
        least this many touchdowns in it: one whole step from plant to plant
        (:func:`analyzer.events.travel.stepped_travel`; a weight shift onto one foot is
        not a backpedal).
    min_travel_step_s
        Plants closer than this are one plant for that count: 0.2 s is 5 steps/s, faster
        than the quickest backpedal (3-4.5 steps/s, METRICS §3 step 6; M7 rates 3.6 good) and
        the quickest sprint stepping (~4-5 steps/s, METRICS M7 [S:41]). Two feet landing
        together (a stand, a jump) and a foot reached out with the other foot's load read
        as a second touchdown (the pose2sim balance: plants 0.17 s apart) are not a step.
    yaw_rate_deg_per_s
        Body-yaw rate that starts a transition (§6 (a): 200 deg/s).
    yaw_departure_deg
        Departure of the world yaw from its backpedal median that marks a turn (45 deg; the
        spec's "Q rises 0.2" is ~13 deg out of profile, too close to the frame-to-frame
        scatter of world-landmark yaw, so the turn is confirmed at 45 deg and its onset is
        traced back with ``onset_rate_deg_per_s``).
    onset_rate_deg_per_s, turn_fit_before_s, turn_fit_after_s
        Turn onset: where a raised-cosine turn fitted to the world yaw from 1.2 s before to
        0.8 s after the confirmed turn first exceeds 60 deg/s.
    yaw_cutoff_hz
        Low-pass of the pelvis yaw for the onset (3 Hz).
    onset_from_pelvis, offset_min_arc_deg
        Fit the turn to the hip line's yaw (the truth's pelvis yaw), with the constant
        offset between the hip landmarks removed when the clip's hip vectors span at least
        120 deg of their circle (``events.turn.pelvis_yaw_deg``).
    turn_cutoff_hz, turn_min_s
        The turn is confirmed on the world yaw low-passed at 2 Hz and departed for >= 0.2 s
        (world-landmark depth is noisy; single-frame excursions are not turns).
    q_rise
        Rise of the 2D frontality Q above the backpedal median (§6 (a), no world landmarks).
    brake_fraction
        Backward hip speed below this fraction of the backpedal mean marks braking (§6 (b)).
    brake_cutoff_hz
        Low-pass of the hip speed for the braking test (1 Hz: averages over a stride).
    brake_confirm
        A slow-down counts as braking only if the speed then falls below this fraction of
        the backpedal speed (or reverses) within ``max_transition_s``; otherwise it was a
        surge-and-ease of a steady backpedal.
    forward_speed_leg_per_s
        Hip speed forward that ends the transition (§6 T1: 0.5 L/s).
    facing_tolerance_deg
        World yaw within this of the travel direction counts as facing it (§6 T1: 30 deg).
    max_transition_s
        Longest transition searched for T1 after T0.
    max_lost_s
        A backpedal continues through up to 1 s of frames where the athlete was not tracked.
    cue_lead_s
        Transition cues are searched from this long before the end of the backward run (a
        cue earlier than that, followed by more backpedalling, was not a transition).
    first_toe_off_max_s
        The backpedal starts at its first toe-off when that comes within 0.6 s of the
        movement onset (a first step takes 0.3-0.5 s [EJ]), else where the backward run does.
    cue_min_after_start_s, reference_trim_s, min_reference_samples
        Cues are searched from 0.3 s after the backpedal starts (one step, [EJ]); the
        backpedal reference (yaw, frontality, speed medians) ends 0.2 s before the backward
        run does and needs more than 3 world-yaw samples (else the 2D frontality is used).
    q_rise_min_s
        The frontality rise must last 0.1 s (three frames at 30 fps: not a one-frame blip).
    brake_search_fraction, brake_min_s, brake_fine_min_s
        Braking is searched once the smoothed backward speed has reached 0.9 of its
        backpedal mean (before that the athlete is still accelerating), and the slow-down
        must last 0.15 s on the 1 Hz speed and 0.1 s on the unsmoothed speed that times it.
    cue_refine_s
        A cue found on a smoothed signal is re-timed on a less smoothed one within 0.3 s
        (the half-width of the 2 Hz / 1 Hz smoothing kernels, [EJ]).
    circle_min_samples, circle_max_centre_radius
        The pelvis circle fit (``events.turn.pelvis_yaw_deg``) needs 20 hip vectors and is used only
        when its centre lies within 0.8 radius of the origin (the landmark offset it
        removes is small, SYNTHETIC.md: ~0.05 torso lengths).
    default_step_s, min_step_s, max_step_s, min_step_touchdowns
        Step time for inferring a missed plant: the median touchdown interval (needs 3
        touchdowns), clipped to 0.15-0.5 s; 0.26 s (3.8 steps/s, the middle of the M7 good
        band, METRICS §7) otherwise.
    turn_min_dur_s, turn_max_dur_s
        Durations the raised-cosine turn fit may take: 0.15 s (a snap of the hips) to 3 s
        (a slow rounded turn).
    kind_window_s, settle_s, break_angle_min_deg, break_angle_max_deg
        The transition kind is read from the travel up to 0.3 s after T1; a break at an
        angle is a world yaw settled (median over the last 0.2 s) 45-135 deg away from the
        backpedal's (METRICS §6).
    """

    onset_speed_leg_per_s: float = 0.3
    onset_min_s: float = 0.1
    still_speed_leg_per_s: float = 0.2
    ready_min_s: float = 0.3
    min_backpedal_s: float = 0.5
    merge_gap_s: float = 0.5
    min_travel_touchdowns: int = 2
    min_travel_step_s: float = 0.2
    yaw_rate_deg_per_s: float = 200.0
    yaw_departure_deg: float = 45.0
    onset_rate_deg_per_s: float = 60.0
    turn_fit_before_s: float = 1.2
    onset_from_pelvis: bool = True
    offset_min_arc_deg: float = 120.0
    turn_fit_after_s: float = 0.8
    yaw_cutoff_hz: float = 3.0
    turn_cutoff_hz: float = 2.0
    turn_min_s: float = 0.2
    q_rise: float = 0.2
    brake_fraction: float = 0.7
    brake_cutoff_hz: float = 1.0
    brake_confirm: float = 0.25
    forward_speed_leg_per_s: float = 0.5
    facing_tolerance_deg: float = 30.0
    max_transition_s: float = 2.0
    max_lost_s: float = 1.0
    cue_lead_s: float = 1.0
    first_toe_off_max_s: float = 0.6
    cue_min_after_start_s: float = 0.3
    reference_trim_s: float = 0.2
    min_reference_samples: int = 3
    q_rise_min_s: float = 0.1
    brake_search_fraction: float = 0.9
    brake_min_s: float = 0.15
    brake_fine_min_s: float = 0.1
    cue_refine_s: float = 0.3
    circle_min_samples: int = 20
    circle_max_centre_radius: float = 0.8
    default_step_s: float = 0.26
    min_step_s: float = 0.15
    max_step_s: float = 0.5
    min_step_touchdowns: int = 3
    turn_min_dur_s: float = 0.15
    turn_max_dur_s: float = 3.0
    kind_window_s: float = 0.3
    settle_s: float = 0.2
    break_angle_min_deg: float = 45.0
    break_angle_max_deg: float = 135.0


@dataclass(frozen=True)
class RepTiming:
    """Key frames of one rep (frame indices; None when the rep has no such event).

    ``t0_inferred`` / ``t1_inferred``: T0 / T1 stand in for a touchdown that contact
    detection missed (the plant one step after the last touchdown found, or the turn onset;
    the first touchdown after the body faces the travel direction); they still count as
    transition contacts (M13b).
    """

    rep: int
    onset: int | None
    backpedal_start: int
    t0: int | None
    turn_onset: int | None
    t1: int | None
    end: int
    kind: TransitionKind
    cue: str = ""
    t0_inferred: bool = False
    t1_inferred: bool = False
