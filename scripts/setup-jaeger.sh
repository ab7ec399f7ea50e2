#!/usr/bin/env bash
# Builds the trace backend that `aibackend requests` and `trace` read, and that the tracing tests
# run: Jaeger v2 (cmd/jaeger, an OpenTelemetry Collector distribution with Jaeger's memory store
# and query API), from the Go module proxy at the version tools/jaeger/go.mod pins, every module
# checked against tools/jaeger/go.sum. Cached outside the repository by the hash of those files:
# a second run prints the path at once. First build: about 4-5 minutes on 2 cores.
# Prints progress on stderr and the binary's path on its last line of stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/tools/jaeger"
version=$(grep -m1 -oE 'github.com/jaegertracing/jaeger v[0-9.]+' "$src/go.mod" | cut -d' ' -f2)
hash=$(cat "$src/go.mod" "$src/go.sum" "$0" | sha256sum | cut -c1-16)
dir="${XDG_CACHE_HOME:-$HOME/.cache}/aibackend/jaeger-$version-$hash"
if [ -x "$dir/jaeger" ]; then
  echo "Jaeger $version already built in $dir" >&2
else
  command -v go >/dev/null 2>&1 || { echo "setup-jaeger: Go 1.26 or later is needed (go.dev/doc/install)" >&2; exit 1; }
  echo "building Jaeger $version from the Go module proxy (hash-checked by tools/jaeger/go.sum) into $dir; about 4-5 minutes" >&2
  tmp="$dir.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  # -mod=readonly: go.mod and go.sum are the pin; a module whose hash differs fails the build.
  (cd "$src" && GOFLAGS=-mod=readonly CGO_ENABLED=0 go build -trimpath -o "$tmp/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger) >&2
  "$tmp/jaeger" --help >/dev/null 2>&1 || { echo "setup-jaeger: the built binary does not run" >&2; exit 1; }
  rm -rf "$dir" && mv "$tmp" "$dir"
  trap - EXIT
  echo "built Jaeger $version" >&2
fi
echo "$dir/jaeger"
