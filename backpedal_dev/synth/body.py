"""A clothed human figure built from the 33 BlazePose landmark positions.

The figure is a union of ~30 primitives: tapered capsules ("round cones": two spheres of
different radii joined by a cone) and oriented ellipsoids. They are placed so that the joint
centres are exactly where the landmarks are (the hip landmark is the hip joint centre, the
knee landmark the knee joint centre, ...), i.e. the truth a clip is rendered from is the
skeleton, not MediaPipe's surface points (see ``../shared/design/SYNTHETIC.md``: MediaPipe's
ankle sits ~3 cm above the ankle joint centre, so compare angles, lengths and timings).

World frame: metres, y up; athletes face +x and their right side is +z (``backpedal_dev.synth``).
Sizes below are for an adult of ~1.80 m and are multiplied by a body scale (torso length
/ 0.50 m) and the appearance's ``girth``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analyzer import skeleton as sk

#: Hip-centre to shoulder-centre distance of the reference adult the radii below are for (m).
REFERENCE_TORSO_M = 0.50

# Material ids: what a primitive is made of (region rules in ``material_colors``).
SKIN, SHIRT, SHORTS, SOCK, SHOE, HAIR = 0, 1, 2, 3, 4, 5
HEAD, UPPER_ARM, THIGH, SHANK, FOOT, EAR = 6, 7, 8, 9, 10, 11

BGR = tuple[int, int, int]


@dataclass(frozen=True)
class Appearance:
    """How the athlete looks: colours (BGR, 0-255) and build.

    Use :meth:`from_seed` for a random but reproducible look.
    """

    skin: BGR = (92, 128, 176)
    shirt: BGR = (150, 60, 25)
    shorts: BGR = (40, 40, 40)
    sock: BGR = (235, 235, 235)
    shoe: BGR = (30, 30, 30)
    sole: BGR = (225, 225, 225)
    hair: BGR = (25, 30, 40)
    girth: float = 1.0
    sleeve_fraction: float = 0.45
    shorts_fraction: float = 0.55
    sock_fraction: float = 0.68

    @classmethod
    def from_seed(cls, seed: int) -> Appearance:
        """A random, reproducible appearance (skin tone, kit colours, build)."""
        rng = np.random.default_rng([seed, 0xA99])
        skins = [(92, 128, 176), (60, 90, 140), (45, 65, 100), (150, 180, 225), (75, 110, 165)]
        shirts = [(150, 60, 25), (30, 30, 170), (40, 120, 40), (20, 150, 230), (230, 230, 230),
                  (90, 40, 110), (10, 10, 10)]  # fmt: skip
        shorts = [(40, 40, 40), (235, 235, 235), (120, 60, 20), (70, 70, 70), (20, 20, 110)]
        hairs = [(25, 30, 40), (15, 15, 15), (40, 70, 110), (60, 90, 140)]
        socks = [(235, 235, 235), (30, 30, 30), (150, 60, 25)]
        shoes = [(30, 30, 30), (230, 230, 230), (20, 20, 160), (160, 90, 20)]

        def pick(options: list[BGR]) -> BGR:
            return options[int(rng.integers(len(options)))]

        return cls(
            skin=pick(skins),
            shirt=pick(shirts),
            shorts=pick(shorts),
            sock=pick(socks),
            shoe=pick(shoes),
            hair=pick(hairs),
            girth=float(rng.uniform(0.92, 1.1)),
            sleeve_fraction=float(rng.uniform(0.3, 0.55)),
            shorts_fraction=float(rng.uniform(0.45, 0.65)),
            sock_fraction=float(rng.uniform(0.6, 0.78)),
        )


@dataclass
class Body:
    """The figure as arrays of primitives, ready for ray casting.

    Round cones: ``cone_a``/``cone_b`` (N, 3) end centres, ``cone_ra``/``cone_rb`` radii,
    ``cone_mat`` material ids. Ellipsoids: ``ell_c`` (M, 3) centres, ``ell_rot`` (M, 3, 3)
    with rows = local axes in world terms, ``ell_axes`` (M, 3) semi-axes, ``ell_mat``.
    ``head`` holds the head frame and face points used to paint the face.
    """

    cone_a: np.ndarray
    cone_b: np.ndarray
    cone_ra: np.ndarray
    cone_rb: np.ndarray
    cone_mat: np.ndarray
    ell_c: np.ndarray
    ell_rot: np.ndarray
    ell_axes: np.ndarray
    ell_mat: np.ndarray
    head: dict[str, np.ndarray] = field(default_factory=dict)


def _unit(v: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-9 else fallback


def _orthonormal(primary: np.ndarray, secondary: np.ndarray) -> np.ndarray:
    """Rows (a, b, c): a = primary, b = secondary made orthogonal to a, c = a x b."""
    a = _unit(primary, np.array([0.0, 1.0, 0.0]))
    b = secondary - a * float(a @ secondary)
    b = _unit(b, _unit(np.cross(a, [1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])))
    return np.stack([a, b, np.cross(a, b)])


def estimate_body_scale(landmarks_world: np.ndarray) -> float:
    """Body scale from the hip-centre to shoulder-centre distance (median over frames).

    Parameters
    ----------
    landmarks_world
        (33, 3) or (T, 33, 3) landmark positions in metres.
    """
    lm = np.asarray(landmarks_world, float).reshape(-1, sk.N_LANDMARKS, 3)
    sh = (lm[:, sk.LEFT_SHOULDER] + lm[:, sk.RIGHT_SHOULDER]) / 2
    hp = (lm[:, sk.LEFT_HIP] + lm[:, sk.RIGHT_HIP]) / 2
    torso = float(np.nanmedian(np.linalg.norm(sh - hp, axis=-1)))
    if not np.isfinite(torso) or torso <= 0:
        return 1.0
    return float(np.clip(torso / REFERENCE_TORSO_M, 0.5, 1.6))


class _Builder:
    def __init__(self) -> None:
        self.cones: list[tuple[np.ndarray, np.ndarray, float, float, int]] = []
        self.ells: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []

    def cone(self, a: np.ndarray, b: np.ndarray, ra: float, rb: float, mat: int) -> None:
        self.cones.append((np.asarray(a, float), np.asarray(b, float), ra, rb, mat))

    def ellipsoid(self, c: np.ndarray, rot: np.ndarray, axes: tuple[float, ...], mat: int) -> None:
        self.ells.append((np.asarray(c, float), rot, np.asarray(axes, float), mat))

    def sphere(self, c: np.ndarray, r: float, mat: int) -> None:
        self.ellipsoid(c, np.eye(3), (r, r, r), mat)

    def build(self, head: dict[str, np.ndarray]) -> Body:
        return Body(
            cone_a=np.array([c[0] for c in self.cones]),
            cone_b=np.array([c[1] for c in self.cones]),
            cone_ra=np.array([c[2] for c in self.cones]),
            cone_rb=np.array([c[3] for c in self.cones]),
            cone_mat=np.array([c[4] for c in self.cones], int),
            ell_c=np.array([e[0] for e in self.ells]),
            ell_rot=np.array([e[1] for e in self.ells]),
            ell_axes=np.array([e[2] for e in self.ells]),
            ell_mat=np.array([e[3] for e in self.ells], int),
            head=head,
        )


def build_body(
    landmarks_world: np.ndarray, appearance: Appearance, *, body_scale: float | None = None
) -> Body:
    """Primitives of the clothed figure whose joint centres are the given landmarks.

    Parameters
    ----------
    landmarks_world
        (33, 3) landmark positions (metres, y up), BlazePose order.
    appearance
        Colours and build (``girth`` scales every radius).
    body_scale
        Size relative to the reference adult; default from this frame's torso length
        (pass :func:`estimate_body_scale` over a whole clip to keep radii constant).
    """
    lm = np.asarray(landmarks_world, float)
    if lm.shape != (sk.N_LANDMARKS, 3) or not np.all(np.isfinite(lm)):
        raise ValueError("landmarks_world must be a finite (33, 3) array.")
    s = estimate_body_scale(lm) if body_scale is None else float(body_scale)
    g = s * appearance.girth
    b = _Builder()
    trunk = _add_trunk(b, lm, s, g)
    for side in ("left", "right"):
        _add_arm(b, lm, side, g)
        _add_leg(b, lm, side, g, trunk)
    head = _add_head(b, lm, s, g, trunk)
    return b.build(head)


def _add_trunk(b: _Builder, lm: np.ndarray, s: float, g: float) -> np.ndarray:
    """Pelvis, abdomen, chest, shoulder girdle; returns the trunk frame (up, right, fwd)."""
    sh_l, sh_r = lm[sk.LEFT_SHOULDER], lm[sk.RIGHT_SHOULDER]
    hp_l, hp_r = lm[sk.LEFT_HIP], lm[sk.RIGHT_HIP]
    sh_m, hp_m = (sh_l + sh_r) / 2, (hp_l + hp_r) / 2
    up = _unit(sh_m - hp_m, np.array([0.0, 1.0, 0.0]))
    frame = _orthonormal(up, (sh_r - sh_l) + (hp_r - hp_l))  # rows: up, right, forward?
    up, right = frame[0], frame[1]
    fwd = np.cross(up, right)  # y x z = x: facing direction
    rot = np.stack([right, up, fwd])  # ellipsoid local axes: lateral, vertical, sagittal
    torso = float(np.linalg.norm(sh_m - hp_m))
    hip_half = float(np.linalg.norm(hp_r - hp_l)) / 2
    sh_half = float(np.linalg.norm(sh_r - sh_l)) / 2

    pel_c = hp_m + up * 0.01 * s - fwd * 0.035 * s
    b.ellipsoid(pel_c, rot, (hip_half + 0.075 * g, 0.115 * g, 0.105 * g), SHORTS)
    abd_c = hp_m + up * 0.40 * torso
    b.ellipsoid(abd_c, rot, (0.145 * g, 0.17 * s, 0.10 * g), SHIRT)
    chest_c = hp_m + up * 0.72 * torso - fwd * 0.02 * s
    chest_half = max(0.85 * sh_half + 0.02 * g, 0.13 * g)
    b.ellipsoid(chest_c, rot, (chest_half, 0.19 * s, 0.11 * g), SHIRT)
    # Shoulder girdle: trapezius bar between the joints and deltoid caps over them.
    b.cone(sh_l + up * 0.02 * s, sh_r + up * 0.02 * s, 0.055 * g, 0.055 * g, SHIRT)
    b.sphere(sh_l + up * 0.01 * s, 0.058 * g, SHIRT)
    b.sphere(sh_r + up * 0.01 * s, 0.058 * g, SHIRT)
    return np.stack([up, right, fwd])


def _add_arm(b: _Builder, lm: np.ndarray, side: str, g: float) -> None:
    i = sk.INDEX
    sh, el, wr = lm[i[f"{side}_shoulder"]], lm[i[f"{side}_elbow"]], lm[i[f"{side}_wrist"]]
    pinky, index, thumb = lm[i[f"{side}_pinky"]], lm[i[f"{side}_index"]], lm[i[f"{side}_thumb"]]
    b.cone(sh, el, 0.050 * g, 0.040 * g, UPPER_ARM)
    b.cone(el, wr, 0.041 * g, 0.029 * g, SKIN)
    tip = (pinky + index) / 2
    along = tip - wr
    length = float(np.linalg.norm(along))
    if length < 1e-6:
        b.sphere(wr, 0.04 * g, SKIN)
        return
    hand = _orthonormal(along, index - pinky)  # rows: along, across, normal
    c = wr + along * 0.55
    b.ellipsoid(c, hand, (0.5 * length + 0.025 * g, 0.042 * g, 0.02 * g), SKIN)
    b.cone(wr + along * 0.15, thumb, 0.014 * g, 0.011 * g, SKIN)


def _add_leg(b: _Builder, lm: np.ndarray, side: str, g: float, trunk: np.ndarray) -> None:
    i = sk.INDEX
    hip, knee, ank = lm[i[f"{side}_hip"]], lm[i[f"{side}_knee"]], lm[i[f"{side}_ankle"]]
    heel, toe = lm[i[f"{side}_heel"]], lm[i[f"{side}_foot_index"]]
    b.cone(hip, knee, 0.082 * g, 0.056 * g, THIGH)
    b.sphere(knee, 0.054 * g, SKIN)
    b.cone(knee, ank, 0.052 * g, 0.035 * g, SHANK)
    fwd = _unit(toe - heel, trunk[2])
    shank = ank - knee
    calf_c = knee + shank * 0.3 - fwd * 0.016 * g
    calf_rot = _orthonormal(shank, fwd)  # rows: along shank, forward, lateral
    b.ellipsoid(calf_c, calf_rot, (0.11 * g, 0.045 * g, 0.048 * g), SHANK)
    b.sphere(ank, 0.037 * g, SOCK)
    foot_up = _unit((ank - heel) - fwd * float(fwd @ (ank - heel)), np.array([0.0, 1.0, 0.0]))
    # Shoe: heel ball to toe ball. The heel/toe landmarks are foot points; the shoe's sole
    # reaches ~2 cm below them (sunk into the turf when the foot is flat), which also brings
    # MediaPipe's ankle, heel and toe closest to the true points.
    h_c = heel + foot_up * 0.013 * g + fwd * 0.027 * g
    t_c = toe + foot_up * 0.008 * g - fwd * 0.022 * g
    b.cone(h_c, t_c, 0.031 * g, 0.027 * g, FOOT)
    # Achilles tendon and heel: more tissue behind the ankle joint than in front of it.
    b.ellipsoid(ank - fwd * 0.03 * g + _unit(shank, -foot_up) * 0.005 * g, calf_rot,
                (0.055 * g, 0.03 * g, 0.026 * g), SOCK)  # fmt: skip
    b.cone(ank - foot_up * 0.065 * g, (h_c + t_c) / 2 + foot_up * 0.004 * g, 0.033 * g,
           0.033 * g, FOOT)  # fmt: skip


def _add_head(
    b: _Builder, lm: np.ndarray, s: float, g: float, trunk: np.ndarray
) -> dict[str, np.ndarray]:
    ear_l, ear_r, nose = lm[sk.LEFT_EAR], lm[sk.RIGHT_EAR], lm[sk.NOSE]
    ear_m = (ear_l + ear_r) / 2
    right = _unit(ear_r - ear_l, trunk[1])
    fwd = nose - ear_m
    fwd = _unit(fwd - right * float(right @ fwd), trunk[2])
    up = np.cross(right, fwd)  # z x x = y
    rot = np.stack([right, up, fwd])
    half_w = float(np.clip(np.linalg.norm(ear_r - ear_l) / 2, 0.06 * s, 0.1 * s))
    centre = ear_m + up * 0.025 * s + fwd * 0.004 * s
    b.ellipsoid(centre, rot, (half_w + 0.004 * s, 0.122 * s, 0.102 * s), HEAD)
    b.ellipsoid(
        ear_m - up * 0.05 * s + fwd * 0.045 * s, rot, (0.056 * s, 0.055 * s, 0.062 * s), HEAD
    )  # fmt: skip  (jaw)
    b.ellipsoid(nose - fwd * 0.012 * s, rot, (0.014 * s, 0.02 * s, 0.018 * s), SKIN)
    # Auricles: taller than wide, mostly behind and above the ear canal (the landmark).
    for ear, side in ((ear_l, -1.0), (ear_r, 1.0)):
        c = ear - fwd * 0.008 * s + up * 0.006 * s + right * side * 0.004 * s
        b.ellipsoid(c, rot, (0.012 * s, 0.031 * s, 0.019 * s), EAR)
    sh_m = (lm[sk.LEFT_SHOULDER] + lm[sk.RIGHT_SHOULDER]) / 2
    neck_top = ear_m - up * 0.035 * s
    b.cone(sh_m + trunk[0] * 0.01 * s, neck_top, 0.058 * g, 0.05 * g, SKIN)
    return {
        "centre": centre,
        "rot": rot,
        "axes": np.array([half_w + 0.004 * s, 0.122 * s, 0.102 * s]),
        "eyes": lm[[sk.LEFT_EYE, sk.RIGHT_EYE]],
        "mouth": lm[[sk.INDEX["mouth_left"], sk.INDEX["mouth_right"]]],
        "ears": lm[[sk.LEFT_EAR, sk.RIGHT_EAR]],
        "scale": np.array([s]),
    }


def _mix(a: np.ndarray, b: BGR | np.ndarray, w: np.ndarray) -> np.ndarray:
    return a * (1 - w[:, None]) + np.asarray(b, float) * w[:, None]


def material_colors(
    mat: int,
    points: np.ndarray,
    axial: np.ndarray,
    appearance: Appearance,
    body: Body,
) -> np.ndarray:
    """Base colour (N, 3) BGR float of hit points on a primitive of material ``mat``.

    ``axial`` is the position along a cone's axis (0 at its first end, 1 at its second),
    used for sleeves, shorts legs and socks.
    """
    ap = appearance
    n = len(points)
    simple = {SKIN: ap.skin, SHIRT: ap.shirt, SHORTS: ap.shorts, SOCK: ap.sock, HAIR: ap.hair}
    if mat in simple:
        return np.broadcast_to(np.asarray(simple[mat], float), (n, 3)).copy()
    if mat == UPPER_ARM:
        return np.where((axial < ap.sleeve_fraction)[:, None], ap.shirt, ap.skin).astype(float)
    if mat == THIGH:
        return np.where((axial < ap.shorts_fraction)[:, None], ap.shorts, ap.skin).astype(float)
    if mat == SHANK:
        return np.where((axial > ap.sock_fraction)[:, None], ap.sock, ap.skin).astype(float)
    if mat == FOOT:
        return _shoe_colors(points, axial, ap)
    if mat == EAR:
        col = np.broadcast_to(np.asarray(ap.skin, float) * 0.88, (n, 3)).copy()
        s = float(body.head["scale"][0])
        for ear in body.head["ears"]:
            canal = np.linalg.norm(points - ear, axis=1) < 0.0075 * s
            col[canal] = np.asarray(ap.skin, float) * 0.45
        return col
    if mat == HEAD:
        return _head_colors(points, ap, body.head)
    raise ValueError(f"unknown material {mat}")


def _shoe_colors(points: np.ndarray, axial: np.ndarray, ap: Appearance) -> np.ndarray:
    col = np.broadcast_to(np.asarray(ap.shoe, float), (len(points), 3)).copy()
    # A light sole stripe near the ground and a light heel tab make the foot readable.
    sole = points[:, 1] < 0.022
    col[sole] = ap.sole
    return col


def _head_colors(points: np.ndarray, ap: Appearance, head: dict[str, np.ndarray]) -> np.ndarray:
    rel = (points - head["centre"]) @ head["rot"].T / head["axes"]  # unit-sphere coords
    y, z = rel[:, 1], rel[:, 2]  # up, forward (rel[:, 0] is right)
    col = np.broadcast_to(np.asarray(ap.skin, float), (len(points), 3)).copy()
    hair = (y > 0.42 - 0.25 * np.clip(-z, 0, 1)) | ((z < -0.18) & (y > -0.4))
    hair |= (y > 0.1) & (z < 0.12)  # temples and sideburns, in front of and above the ears
    hair &= ~((z > 0.55) & (y < 0.62))
    col[hair] = ap.hair
    s = float(head["scale"][0])
    rot = head["rot"]
    front = z > 0.2
    for eye in head["eyes"]:
        d = (points - eye) @ rot.T  # local offsets from the eye landmark
        dx, dy = d[:, 0], d[:, 1]
        white = front & ((dx / (0.014 * s)) ** 2 + (dy / (0.0075 * s)) ** 2 < 1)
        col[white] = (235, 235, 235)
        col[front & (dx**2 + dy**2 < (0.0058 * s) ** 2)] = (40, 30, 25)
        brow = front & (np.abs(dx) < 0.016 * s) & (np.abs(dy - 0.017 * s) < 0.0035 * s)
        col[brow] = ap.hair
    m0, m1 = head["mouth"]
    mc = (m0 + m1) / 2
    half = max(float(np.linalg.norm(m1 - m0)) / 2, 0.015 * s)
    d = (points - mc) @ rot.T
    lips = front & (np.abs(d[:, 0]) < half) & (np.abs(d[:, 1]) < 0.0045 * s)
    col[lips] = _mix(col[lips], (70, 60, 150), np.full(int(lips.sum()), 0.8))
    return col
