#!/usr/bin/env bash
# Measure the runtime install size: a fresh clone of this repository, `bash scripts/install.sh`
# (runtime only, no test tools), then `du` of its .venv. Needs the package registry.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q "$src" "$work/repo"
(cd "$work/repo" && bash scripts/install.sh >/dev/null)
echo "runtime environment: $(du -sm "$work/repo/.venv" | cut -f1) MB (cap: 650 MB)"
