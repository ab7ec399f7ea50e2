#!/usr/bin/env bash
# Creates the virtualenv with Locust (requirements/locust.txt, pinned with hashes) that the test of
# `aibackend load --emit locust` runs, outside the repository. Idempotent. Prints the path of the
# locust executable on its last line of stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
req="$root/requirements/locust.txt"
version=$(grep -m1 -oE '^locust==[0-9.]+' "$req" | cut -d= -f3)
venv="${AIBACKEND_LOCUST_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/aibackend/locust-$version}"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -x "$venv/bin/locust" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "Locust $version already installed in $venv" >&2
else
  echo "installing Locust $version (hash-checked) into $venv" >&2
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-deps --require-hashes --progress-bar off -r "$req" 2>&1 | grep -E '^(Successfully installed|ERROR)' >&2 || true
  [ -x "$venv/bin/locust" ] || { echo "setup-locust: pip failed; nothing was kept" >&2; rm -rf "$venv"; exit 1; }
  echo "$want" > "$stamp"
fi
echo "$venv/bin/locust"
