"""Coaching text keyed by fault id: a title, a short cue, why it matters, and drills.

Written for this project in plain words a coach, athlete or parent can act on. The ideas
come from the coaching sources listed in METRICS.md §1.2 and the articles in
``../shared/coaching`` (stance, short quick steps, balance, eyes, hip flip, arm drive,
sled and backward-running work); the sentences are our own.

A profile may override a fault's title, cue or drill list (``[faults.<id>]``); drill ids
must be keys of :data:`DRILLS`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Drill:
    """A drill: its name and how to run it, in two or three sentences."""

    name: str
    how: str

    def line(self) -> str:
        """``"Name: how to run it"`` (what goes into a finding's ``drills``)."""
        return f"{self.name}: {self.how}"


@dataclass(frozen=True)
class FaultText:
    """What we tell the athlete about one fault."""

    title: str
    cue: str
    why: str
    drills: tuple[str, ...]


DRILLS: dict[str, Drill] = {
    "w_drill": Drill(
        "W drill",
        "Set five cones in a W about 5 yards apart. Pedal to the first cone, break forward at "
        "an angle to the next, pedal again, and so on. Stay in the same low pedal height at "
        "every cone.",
    ),
    "hip_flip": Drill(
        "Hip flip drill",
        "Pedal at half speed; when the coach points, swing the hips open to that side and run "
        "5 yards. Turn in one motion without rising up or adding a false step; alternate sides.",
    ),
    "mirror": Drill(
        "Mirror drill",
        "A partner plays receiver 5 yards away and moves forward, back and sideways at will. "
        "Match every move, with your eyes on the partner's belt line, not the head.",
    ),
    "wall_taps": Drill(
        "Wall taps",
        "Hand on a wall for balance, get into the pedal stance and take quick short steps in "
        "place on the balls of the feet for 10 seconds. Eyes ahead, not at the feet; rest and "
        "repeat, then try it off the wall.",
    ),
    "shuttle_transitions": Drill(
        "Shuttle transitions",
        "Pedal 5 yards, plant and drive forward 5 yards, pedal again: three changes per rep. "
        "Keep the hips at the same height through each plant.",
    ),
    "sled_backpedal": Drill(
        "Sled-resisted backpedal",
        "Belt around the hips, a light sled (empty, or lightly loaded), 5 to 10 yards of "
        "hard pedalling with strong arm drive. 3 to 5 sets while fresh, with full rest.",
    ),
    "backward_run_warmup": Drill(
        "Backward-running warm-up",
        "Make one warm-up lap a backward run: start with a jog, build to quick strides, arms "
        "pumping as when running forward. Finish the session with a backward jog to walk.",
    ),
    "stance_holds": Drill(
        "Stance holds",
        "Hold the ready stance for 10 seconds in front of a phone camera: hips back, knees "
        "bent, shoulders over the knees, heels light. Check the picture, fix, repeat 5 times.",
    ),
    "low_ceiling_pedal": Drill(
        "Low-ceiling pedal",
        "Two partners hold a rope or pole just above the athlete's head in the pedal stance; "
        "pedal 10 yards under it without touching it.",
    ),
    "ladder_pedal": Drill(
        "Ladder pedal",
        "Pedal backwards through an agility ladder, one foot in each square, as fast as "
        "possible while staying low. Short, quick steps only.",
    ),
    "cone_gates": Drill(
        "Cone-gate pedal",
        "Lay two lines of flat markers about shoulder width apart and pedal between them, "
        "each foot landing just inside its own line, never on the middle.",
    ),
    "arm_drive": Drill(
        "Arm-drive drill",
        "In the pedal stance, swing the arms from the hip pocket to chin height at pedal "
        "rhythm for 10 seconds, elbows bent near 90 degrees; then pedal 10 yards keeping that "
        "swing.",
    ),
    "opposite_arm_march": Drill(
        "Opposite-arm march",
        "March backwards slowly, driving the left arm forward as the right foot steps back and "
        "the other way round. Build to a jog, then a pedal, without losing the pattern.",
    ),
    "quality_sets": Drill(
        "Quality-first sets",
        "Do fewer reps per set (3 or 4) with full rest between them, and end the set as soon "
        "as the pedal height or the turn gets sloppy.",
    ),
}


FAULT_TEXT: dict[str, FaultText] = {
    "standing_tall": FaultText(
        "Standing too tall",
        "Sit the hips down and keep the knees bent the whole pedal.",
        "A tall pedal makes every break slower: you have to drop down before you can turn.",
        ("stance_holds", "low_ceiling_pedal"),
    ),
    "sitting_too_low": FaultText(
        "Sitting too deep",
        "Come up a little: low enough to break, not squatting.",
        "A very deep crouch tires the legs and slows the push out of each step.",
        ("stance_holds",),
    ),
    "leaning_back": FaultText(
        "Leaning back",
        "Shoulders over the knees, chin over the toes.",
        "With the weight behind you, you cannot react forward quickly when the ball is thrown.",
        ("stance_holds", "wall_taps"),
    ),
    "bent_over": FaultText(
        "Bent over, chest down",
        "Chest up and eyes up; lean from the hips, do not fold.",
        "Folding at the waist pulls the eyes to the ground and puts you off balance forward.",
        ("stance_holds", "mirror"),
    ),
    "overstriding": FaultText(
        "Overstriding",
        "Short, quick steps: land the feet under the hips, do not reach back.",
        "Long reaching steps put the foot far behind the body, so changing direction takes longer.",
        ("ladder_pedal", "wall_taps"),
    ),
    "slow_feet": FaultText(
        "Slow feet",
        "Quicker turnover: more steps, not bigger ones.",
        "A slow step rhythm leaves you between steps when the receiver breaks.",
        ("ladder_pedal", "wall_taps"),
    ),
    "uneven_rhythm": FaultText(
        "Uneven step rhythm",
        "Keep a steady beat: every step the same length in time.",
        "Stutter steps and pauses are moments where you cannot react.",
        ("ladder_pedal",),
    ),
    "narrow_base": FaultText(
        "Feet too close together",
        "Keep the feet about under the armpits; never step onto one line.",
        "With the feet on one line or crossing, a break to the side needs an extra step.",
        ("cone_gates",),
    ),
    "wide_base": FaultText(
        "Base too wide",
        "Bring the feet in to about shoulder width.",
        "A straddled base slows the steps and makes the pedal waddle.",
        ("cone_gates",),
    ),
    "on_heels": FaultText(
        "On the heels",
        "Weight on the balls of the feet, heels light.",
        "Flat or heel-first contacts make the push-off and the break late.",
        ("wall_taps", "stance_holds"),
    ),
    "heels_kicking_up": FaultText(
        "Heels kicking up",
        "Keep the feet low, just brushing the turf.",
        "Feet that swing high take longer to get back down for the next step.",
        ("ladder_pedal",),
    ),
    "passive_arms": FaultText(
        "Passive arms",
        "Pump the arms like running forward, hip to chin.",
        "Still arms or hands held at the chest make the rhythm and the turn harder to drive.",
        ("arm_drive", "sled_backpedal"),
    ),
    "arms_crossing": FaultText(
        "Arms crossing the body",
        "Drive the arms straight forward and back, never across the chest.",
        "Arms swinging across the body twist the shoulders and hips away from square.",
        ("arm_drive", "mirror"),
    ),
    "arm_leg_out_of_sync": FaultText(
        "Arms out of time with the legs",
        "Opposite arm with opposite leg, on every step.",
        "When arms and legs fight each other the trunk twists and the rhythm breaks.",
        ("opposite_arm_march", "backward_run_warmup"),
    ),
    "eyes_off_target": FaultText(
        "Head turned to the quarterback too long",
        "Eyes on the receiver's hips; only glance at the quarterback.",
        "While the head is turned away, you cannot see the receiver start his break.",
        ("mirror",),
    ),
    "slow_hip_flip": FaultText(
        "Slow or rounded hip flip",
        "Open the hips in one quick move and go: no extra steps.",
        "A slow turn with extra steps hands the receiver a head start.",
        ("hip_flip", "shuttle_transitions"),
    ),
    "popping_up": FaultText(
        "Popping up out of the break",
        "Stay low through the turn and push out with a forward lean.",
        "Standing up during the turn costs the first steps of the sprint.",
        ("hip_flip", "w_drill"),
    ),
    "form_drop_fatigue": FaultText(
        "Form drops as the reps go on",
        "Quality over quantity: stop the set when the technique slips.",
        "Later reps score lower than the first ones; tired reps rehearse the faults.",
        ("quality_sets",),
    ),
}


def drill_lines(drill_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The finding text of these drills (unknown ids are skipped; profiles are validated)."""
    return tuple(DRILLS[d].line() for d in drill_ids if d in DRILLS)
