#!/usr/bin/env bash
# Builds Ollama, the real server behind the registry's `ollama` provider in the real-server tests,
# from the Go module proxy at the version tools/ollama/go.mod pins, every module checked against
# tools/ollama/go.sum, and makes the tiny model of scripts/setup-llama-cpp.sh an Ollama model.
#
# Ollama's module on the proxy lacks the headers its llama.cpp copy vendors (Go module zips leave
# out `vendor/` directories): nlohmann/json, miniaudio and stb_image. They are taken from the same
# llama.cpp tree, in the hash-checked llama-cpp-python sdist that setup-llama-cpp.sh keeps, and
# given to cgo with CGO_CPPFLAGS. Nothing else is added or patched.
#
#   bin/ollama          the server and CLI (ollama serve, ollama create)
#   models/tiny.gguf    with models/Modelfile (FROM ./tiny.gguf), for `ollama create tiny`
#
# Needs Go 1.26, g++ and what setup-llama-cpp.sh needs. Cached outside the repository by the hash
# of the inputs. First build: about 3 minutes on 2 cores (2 min 36 s measured with cold Go caches).
# Prints progress on stderr and, last on stdout, the directory above.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/tools/ollama"
version=$(grep -m1 -oE 'github.com/ollama/ollama v[0-9.]+' "$src/go.mod" | cut -d' ' -f2)
llama=$(bash "$root/scripts/setup-llama-cpp.sh" | tail -n 1)
hash=$(cat "$src/go.mod" "$src/go.sum" "$0" | sha256sum | cut -c1-16)
dir="${AIBACKEND_OLLAMA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aibackend/ollama-$version-$hash}"

if [ -x "$dir/bin/ollama" ] && [ -f "$dir/models/tiny.gguf" ]; then
  echo "Ollama $version already built in $dir" >&2
  echo "$dir"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "setup-ollama: Go 1.26 or later is needed (go.dev/doc/install)" >&2; exit 1; }
command -v g++ >/dev/null 2>&1 || { echo "setup-ollama: g++ is needed (Debian: apt-get install g++)" >&2; exit 1; }

tmp="$dir.tmp.$$"
rm -rf "$tmp" && mkdir -p "$tmp"/{bin,models}
trap 'rm -rf "$tmp"' EXIT
echo "building Ollama $version from the Go module proxy (hash-checked by tools/ollama/go.sum) into $dir; about 3 minutes" >&2
# -mod=readonly: go.mod and go.sum are the pin. The version is stamped as Ollama's release build does.
(cd "$src" && GOFLAGS=-mod=readonly CGO_ENABLED=1 CGO_CPPFLAGS="-I$llama/vendor" \
  go build -trimpath -ldflags "-s -w -X github.com/ollama/ollama/version.Version=${version#v}" \
  -o "$tmp/bin/ollama" github.com/ollama/ollama) >&2
"$tmp/bin/ollama" --version >/dev/null 2>&1 || { echo "setup-ollama: the built binary does not run" >&2; exit 1; }
cp "$llama/models/tiny.gguf" "$tmp/models/tiny.gguf"
printf 'FROM ./tiny.gguf\n' >"$tmp/models/Modelfile"
rm -rf "$dir" && mv "$tmp" "$dir"
trap - EXIT
echo "built Ollama $version in $dir: bin/ollama; models/Modelfile makes the tiny model (ollama create NAME -f models/Modelfile)" >&2
echo "$dir"
