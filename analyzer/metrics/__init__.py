"""Metric families M1-M15 of METRICS.md §7: posture, steps, arms, head, transition."""
