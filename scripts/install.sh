#!/usr/bin/env bash
# Install Backpedal Analyzer into ./.venv (idempotent).
#   bash scripts/install.sh          runtime only
#   bash scripts/install.sh --test   plus the test tools and the Debian packages tests need
#                                    (ffmpeg to make test clips, chromium for the browser tests,
#                                    postgresql for the web app's PostgreSQL test)
# mediapipe is installed last and with --no-deps: its declared dependencies pull jax
# (~600 MB) that pose estimation never uses and pin numpy<2; what it really needs at run time
# is in pyproject.toml. Installed last, no later install re-checks it against them, so pip
# prints no "dependency resolver" error (`pip check` still lists mediapipe's unused pins).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# pip prints one "Location ... is ignored" warning per package for each configured
# file:// index that lacks it (this machine's pip.conf lists local mirrors); harmless,
# so filtered out here without touching the index configuration.
quiet_pip() {
  # Build-backend notices (setuptools' editable-install banner) are UserWarnings of the
  # build subprocess; they say nothing a user can act on.
  PYTHONWARNINGS="ignore::UserWarning" .venv/bin/python -m pip "$@" 2>&1 \
    | { grep -v -E "^WARNING: Location '[^']*' is ignored: it is neither a file nor a directory\.$" || true; }
  return "${PIPESTATUS[0]}"
}

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
quiet_pip install -q --upgrade pip >/dev/null
if [ "$want_test" = 1 ]; then
  # Playwright drives Debian's chromium (below); it must never fetch a browser of its own
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  quiet_pip install -q -e ".[dev,cluster,web]"
else
  quiet_pip install -q --no-compile -e .
fi
quiet_pip install -q --no-compile --no-deps "mediapipe==0.10.21"
# Build matplotlib's font cache now, so the first analysis prints no cache notice.
MPLBACKEND=Agg .venv/bin/python -c "import matplotlib.font_manager" >/dev/null 2>&1 || true

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
