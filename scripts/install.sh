#!/usr/bin/env bash
# Install Backpedal Analyzer into ./.venv (idempotent).
#   bash scripts/install.sh          runtime only
#   bash scripts/install.sh --test   plus the test tools and the Debian packages tests need
#                                    (ffmpeg to make test clips, chromium for the browser tests,
#                                    postgresql for the web app's PostgreSQL test)
# mediapipe is installed with --no-deps: its declared dependencies pull jax (~600 MB) that
# pose estimation never uses; what it really needs is in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q --no-compile --no-deps "mediapipe==0.10.21"
if [ "$want_test" = 1 ]; then
  .venv/bin/python -m pip install -q -e ".[dev,web]"
else
  .venv/bin/python -m pip install -q --no-compile -e .
fi

if [ "$want_test" = 1 ]; then
  missing=()
  command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing Debian packages: ${missing[*]}"
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "Note: ${missing[*]} not installed; tests that need them will be skipped." >&2
    fi
  fi
fi
echo "Installed: $(.venv/bin/backpedal --version 2>/dev/null || echo backpedal)"
