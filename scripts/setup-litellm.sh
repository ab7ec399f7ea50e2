#!/usr/bin/env bash
# Creates the Python virtualenv with the pinned LiteLLM proxy that the end-to-end tests start,
# outside the repository. Idempotent: an existing venv with the same requirements is kept.
# Prints the path of the litellm executable on its last line.
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
  echo "installing LiteLLM $version into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r "$req"
  echo "$want" > "$stamp"
fi
echo "$venv/bin/litellm"
