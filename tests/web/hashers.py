"""A cheap Argon2 for tests: the same algorithm and hash format, a fraction of the memory."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with 1 pass over 1 MiB (production keeps Django's defaults)."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
