"""Synthetic athletes: motion capture and parametric motion, virtual cameras, rendering.

World frame used throughout ``backpedal_dev.synth``: metres, x along the backpedal line, y up,
z lateral (right-handed). Image frame: pixels, x right, y down. Synthetic athletes face +x
(towards the quarterback) and backpedal towards -x; their right side points to +z.
"""
