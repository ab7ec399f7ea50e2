#!/usr/bin/env bash
# A Docker engine, the compose plugin and the images the shipped compose files name, on a machine
# with no image registry: everything comes from Debian's packages, the Go module proxy and PyPI,
# pinned and hash-checked, and is cached by content hash (a second run takes seconds).
#
#   1. Debian's docker.io (dockerd 20.10) and debootstrap, when missing (needs root);
#   2. dockerd, started when none answers (systemd when it runs, else in the background, logging
#      to /var/log/aibackend-dockerd.log);
#   3. the compose plugin, built from the Go module github.com/docker/compose/v5 at COMPOSE_VERSION
#      (the module's hash checked against COMPOSE_SUM, its dependencies against the module's own
#      go.sum), installed as ${DOCKER_CONFIG:-~/.docker}/cli-plugins/docker-compose, unless a
#      compose plugin already answers;
#   4. a Debian bookworm base image from debootstrap (signatures checked with Debian's keyring), and
#      on it the images of docker/: LiteLLM from the hashed requirements/litellm.txt, and stand-ins
#      for Redis, HAProxy, Prometheus and redis_exporter from Debian's packages. Each is tagged with
#      the name the compose files use (ghcr.io/berriai/litellm:..., haproxy:2.6.12, ...), so that
#      they run unmodified; a name that already holds an image that is not one of these stand-ins
#      (one you pulled) is left alone. Grafana, Alertmanager and Jaeger get none (no Debian package
#      for Grafana; the others are not needed by the tests).
#
# Progress goes to stderr; the last line of stdout is `docker compose version`.
# Variables: AIBACKEND_DOCKER_IMAGES=0 skips step 4; DEBIAN_MIRROR overrides deb.debian.org.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
COMPOSE_VERSION=v5.6.0
COMPOSE_SUM='h1:WCDEV0D1CtZLyPdklHdEjFBnCStosBYkfsD3tvM/ITU='
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/aibackend"
say() { echo "setup-docker: $*" >&2; }
die() { echo "setup-docker: $*" >&2; exit 1; }
started=$(date +%s)

# 1. Packages.
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || [ "${AIBACKEND_DOCKER_IMAGES:-1}" = 0 ] || need+=(debootstrap)
if [ "${#need[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${need[*]}: run as root, or apt-get install ${need[*]}"
  say "installing Debian's ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2. The engine.
if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "no Docker engine answers, and starting one needs root (or add yourself to the docker group)"
  if [ -d /run/systemd/system ]; then
    say "starting dockerd (systemctl start docker)"
    systemctl start docker
  else
    say "starting dockerd in the background (log: /var/log/aibackend-dockerd.log)"
    setsid nohup dockerd >/var/log/aibackend-dockerd.log 2>&1 < /dev/null &
  fi
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { tail -n 20 /var/log/aibackend-dockerd.log >&2 2>/dev/null || true; die "dockerd did not answer within 30 s"; }
fi
say "engine: $(docker version --format 'dockerd {{.Server.Version}}, API {{.Server.APIVersion}}')"

# 3. The compose plugin.
plugin_dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
if docker compose version >/dev/null 2>&1; then
  say "compose plugin present: $(docker compose version --short 2>/dev/null)"
else
  command -v go >/dev/null 2>&1 || die "the compose plugin is built with Go 1.26 or later (go.dev/doc/install), which is missing"
  bin_dir="$cache/docker-compose-$COMPOSE_VERSION"
  if [ ! -x "$bin_dir/docker-compose" ]; then
    say "building docker compose $COMPOSE_VERSION from the Go module proxy; about 1-3 minutes"
    info=$(GOFLAGS=-mod=mod go mod download -json "github.com/docker/compose/v5@$COMPOSE_VERSION")
    sum=$(printf '%s' "$info" | sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p')
    dir=$(printf '%s' "$info" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
    [ "$sum" = "$COMPOSE_SUM" ] || die "github.com/docker/compose/v5@$COMPOSE_VERSION has hash '$sum', expected $COMPOSE_SUM"
    tmp="$bin_dir.tmp.$$"
    rm -rf "$tmp" && mkdir -p "$tmp"
    # Inside the module (its go.mod has exclude directives that `go install` refuses); -mod=readonly:
    # every dependency is checked against the module's go.sum.
    (cd "$dir" && GOFLAGS=-mod=readonly CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/docker/compose/v5/internal.Version=$COMPOSE_VERSION" -o "$tmp/docker-compose" ./cmd) >&2 \
      || { rm -rf "$tmp"; die "building docker compose failed"; }
    rm -rf "$bin_dir" && mv "$tmp" "$bin_dir"
  fi
  mkdir -p "$plugin_dir"
  install -m 0755 "$bin_dir/docker-compose" "$plugin_dir/docker-compose"
  say "installed the compose plugin $COMPOSE_VERSION as $plugin_dir/docker-compose"
fi

# 4. Images.
if [ "${AIBACKEND_DOCKER_IMAGES:-1}" != 0 ]; then
  stand_in_label=org.aibackend.stand-in
  # The base: debootstrap's minimal bookworm, named by the hash of what makes it.
  base_hash=$(printf '%s %s %s\n' "$SUITE" "$MIRROR" "$(sed -n '/^# base-recipe>/,/^# <base-recipe/p' "$0")" | sha256sum | cut -c1-12)
  base="aibackend/debian:$SUITE-$base_hash"
  if docker image inspect "$base" >/dev/null 2>&1; then
    say "base image $base present"
  else
    [ "$(id -u)" = 0 ] || die "debootstrap needs root to build the base image"
    say "building the base image $base with debootstrap ($SUITE from $MIRROR); about 30-60 s"
    rootfs=$(mktemp -d)
    trap 'rm -rf "$rootfs"' EXIT
# base-recipe>
    debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg "$SUITE" "$rootfs" "$MIRROR" >/dev/null
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    printf 'APT::Install-Recommends "0";\n' > "$rootfs/etc/apt/apt.conf.d/99aibackend"
    tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' -c "LABEL $stand_in_label=debian-$SUITE" - "$base" >/dev/null
# <base-recipe
    rm -rf "$rootfs"
    trap - EXIT
  fi
  docker tag "$base" aibackend/debian:$SUITE

  ca=/etc/ssl/certs/ca-certificates.crt
  # recipe (a directory of docker/), extra inputs (beside the Dockerfile), compose image name.
  build() {
    local recipe=$1 name=$2
    local dir="$root/docker/$recipe" ctx hash tag
    ctx=$(mktemp -d)
    mkdir -p "$ctx/docker/$recipe" "$ctx/requirements"
    cp -R "$dir/." "$ctx/docker/$recipe/"
    if [ "$recipe" = litellm ]; then
      cp "$root/requirements/litellm.txt" "$ctx/requirements/"
      if [ -s "$ca" ]; then cp "$ca" "$ctx/docker/litellm/ca-bundle.crt"; fi
    fi
    hash=$( (cd "$ctx" && find . -type f ! -name ca-bundle.crt -print0 | sort -z | xargs -0 sha256sum; docker image inspect -f '{{.Id}}' "$base") | sha256sum | cut -c1-12)
    tag="aibackend/$recipe:$hash"
    if docker image inspect "$tag" >/dev/null 2>&1; then
      say "$name: $tag present"
    else
      say "$name: building $tag from docker/$recipe"
      local t0=$(date +%s)
      # The stand-ins' Dockerfiles copy from their own directory; LiteLLM's from the repository root.
      local context="$ctx/docker/$recipe"
      [ "$recipe" = litellm ] && context="$ctx"
      if ! docker build -q --label "$stand_in_label=$recipe" --build-arg "BASE=$base" -f "$ctx/docker/$recipe/Dockerfile" -t "$tag" "$context" >/dev/null 2>"$ctx/build.log"; then
        grep -v -i 'deprecated\|buildx\|BuildKit' "$ctx/build.log" >&2 || true
        rm -rf "$ctx"
        die "building docker/$recipe failed"
      fi
      say "$name: built in $(($(date +%s) - t0)) s"
    fi
    rm -rf "$ctx"
    # Earlier builds of this recipe (another hash) are untagged, so the disk does not fill run after run.
    docker images --format '{{.Repository}}:{{.Tag}}' "aibackend/$recipe" | grep -vxF "$tag" | xargs -r docker rmi >/dev/null 2>&1 || true
    local held
    held=$(docker image inspect -f "{{index .Config.Labels \"$stand_in_label\"}}" "$name" 2>/dev/null || true)
    if docker image inspect "$name" >/dev/null 2>&1 && [ -z "$held" ]; then
      say "$name: an image that is not a stand-in already has this name; left alone"
    else
      docker tag "$tag" "$name"
    fi
  }
  # Every image the shipped compose files name, with the recipe that stands in for it.
  names=$(sed -n 's/^[[:space:]]*image:[[:space:]]*["]\{0,1\}\([^"[:space:]]*\).*/\1/p' "$root/docker-compose.yml" "$root/docker-compose.replicas.yml" | sort -u)
  for name in $names; do
    case "$name" in
      ghcr.io/berriai/litellm:*) build litellm "$name" ;;
      redis:*) build stand-ins/redis "$name" ;;
      haproxy:*) build stand-ins/haproxy "$name" ;;
      prom/prometheus:*) build stand-ins/prometheus "$name" ;;
      oliver006/redis_exporter:*) build stand-ins/redis-exporter "$name" ;;
      *) say "$name: no recipe here (no registry); pull it where one is reachable" ;;
    esac
  done
fi

say "done in $(($(date +%s) - started)) s"
docker compose version
