#!/usr/bin/env bash
# Creates the Python virtualenv with the pinned LiteLLM proxy (requirements/litellm.txt, every
# package pinned with hashes) that reload's pre-flight, the process runtime and
# the end-to-end tests start, outside the repository. Idempotent: an existing venv with the same
# requirements is kept. Needs python3 (3.10 or later) with the venv module (Debian: python3-venv).
# Prints what it does on stderr (pip's progress on a terminal), and the path of the litellm
# executable on its last line of stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
req="$root/requirements/litellm.txt"
version=$(grep -m1 -oE '^litellm==[0-9.]+' "$req" | cut -d= -f3)
venv="${AIBACKEND_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/aibackend/litellm-$version}"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -x "$venv/bin/litellm" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "LiteLLM $version already installed in $venv" >&2
else
  python=${PYTHON:-python3}
  if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    echo "setup-litellm: $python with the venv module is needed (Debian/Ubuntu: apt-get install python3-venv)" >&2
    exit 1
  fi
  count=$(grep -cE '^[A-Za-z0-9_.-]+==' "$req")
  echo "installing LiteLLM $version and its $count pinned dependencies (hash-checked) into $venv; about 2 minutes" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  # pip's own progress on a terminal; one line per package elsewhere (CI logs).
  if [ -t 2 ]; then progress=(--progress-bar on); else progress=(--progress-bar off); fi
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-deps --require-hashes "${progress[@]}" -r "$req" 2>&1 \
    | { if [ -t 2 ]; then cat; else grep -E '^(Collecting|Successfully installed|ERROR)' || true; fi; } >&2
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "setup-litellm: pip failed; nothing was kept" >&2; rm -rf "$venv"; exit 1; }
  echo "$want" > "$stamp"
  echo "installed LiteLLM $version" >&2
fi
echo "$venv/bin/litellm"
