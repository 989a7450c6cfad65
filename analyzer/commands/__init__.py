"""Sub-commands of ``backpedal``; each module has ``register(subparsers)``."""
