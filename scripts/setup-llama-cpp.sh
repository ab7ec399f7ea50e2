#!/usr/bin/env bash
# Builds the real llama.cpp inference servers that the gateway tests route to, and a tiny model
# they serve, from pinned, hash-checked inputs (requirements/llama-cpp.txt):
#
#   bin/llama-server   llama.cpp's native server, built with cmake from the llama.cpp tree that
#                      llama-cpp-python's sdist vendors (with its shared libraries beside it)
#   bin/llama-cpp-python-server
#                      llama-cpp-python's own server (python -m llama_cpp.server in venv/),
#                      installed from the same sdist; it loads bin/libllama.so (LLAMA_CPP_LIB_PATH),
#                      so the tree is compiled once
#   models/tiny.gguf   a seeded random-weight llama (2 layers, 64 dimensions, llama.cpp's SPM
#                      vocabulary) written by scripts/make-tiny-gguf.py with the gguf package
#   vendor/            the single-header libraries llama.cpp vendors (nlohmann/json, miniaudio,
#                      stb_image), which scripts/setup-ollama.sh compiles Ollama's cgo code against
#
# Needs cmake (3.21+), ninja, g++ and python3 with venv (Debian: cmake ninja-build g++ python3-venv).
# Cached outside the repository by the hash of the inputs: a second run prints the path at once.
# First build: about 5 minutes on 2 cores. Prints progress on stderr and, last on stdout, the
# directory above.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
req="$root/requirements/llama-cpp.txt"
version=$(grep -m1 -oE '^llama-cpp-python==[0-9.]+' "$req" | cut -d= -f3)
hash=$(cat "$req" "$0" "$root/scripts/make-tiny-gguf.py" | sha256sum | cut -c1-16)
dir="${AIBACKEND_LLAMA_CPP_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aibackend/llama-cpp-$version-$hash}"

if [ -x "$dir/bin/llama-server" ] && [ -f "$dir/models/tiny.gguf" ] && [ -x "$dir/venv/bin/python" ] && [ -d "$dir/vendor" ]; then
  echo "llama.cpp (llama-cpp-python $version) already built in $dir" >&2
  echo "$dir"
  exit 0
fi

for tool in cmake ninja g++ python3; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "setup-llama-cpp: $tool is needed (Debian: apt-get install cmake ninja-build g++ python3-venv)" >&2
    exit 1
  }
done
python=${PYTHON:-python3}
"$python" -c 'import venv, ensurepip' 2>/dev/null || {
  echo "setup-llama-cpp: $python with the venv module is needed (Debian: apt-get install python3-venv)" >&2
  exit 1
}

tmp="$dir.tmp.$$"
rm -rf "$tmp" && mkdir -p "$tmp"/{bin,models,src}
trap 'rm -rf "$tmp"' EXIT
pipq=(--disable-pip-version-check --progress-bar off)
quiet() { grep -E '^(Successfully installed|ERROR)' >&2 || true; }
started=$(date +%s)
step() { echo "[$(($(date +%s) - started))s] $*" >&2; }

# The venv lives at its final path from the start (venvs are not relocatable): built beside, then
# the whole directory is moved into place once everything works.
venv="$dir/venv"
rm -rf "$venv"
trap 'rm -rf "$tmp" "$venv"; rmdir "$dir" 2>/dev/null || true' EXIT
mkdir -p "$dir"

step "virtualenv with gguf, the server's dependencies and the build backend (hash-checked)"
"$python" -m venv "$venv"
# Every requirement but llama-cpp-python (its hash lines follow it), and that one alone.
awk '/^llama-cpp-python==/{skip=1; next} skip && /^    --hash/{next} {skip=0; print}' "$req" >"$tmp/deps.txt"
awk '/^llama-cpp-python==/{p=1; print; next} p && /^    --hash/{print; next} {p=0}' "$req" >"$tmp/llama-cpp-python.txt"
"$venv/bin/pip" install "${pipq[@]}" --no-deps --require-hashes -r "$tmp/deps.txt" 2>&1 | quiet \
  || { echo "setup-llama-cpp: pip failed on the dependencies; nothing was kept" >&2; exit 1; }

step "llama-cpp-python $version sdist (hash-checked)"
"$venv/bin/pip" download "${pipq[@]}" --no-deps --no-binary :all: --no-build-isolation --require-hashes \
  -r "$tmp/llama-cpp-python.txt" -d "$tmp/src" 2>&1 | quiet \
  || { echo "setup-llama-cpp: could not download the sdist (or its hash differs); nothing was kept" >&2; exit 1; }
sdist=$(ls "$tmp"/src/llama_cpp_python-"$version".tar.gz)
tar -xzf "$sdist" -C "$tmp/src"
tree="$tmp/src/llama_cpp_python-$version/vendor/llama.cpp"

step "building llama-server and libllama with cmake (the slow part: about 5 minutes on 2 cores)"
# Portable CPU code (GGML_NATIVE=OFF): the cache may move to another machine. No curl, no OpenSSL:
# models are local files. RPATH $ORIGIN: the libraries are found beside the binary wherever it lives.
cmake -S "$tree" -B "$tmp/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF \
  -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON \
  -DBUILD_SHARED_LIBS=ON -DCMAKE_BUILD_RPATH_USE_ORIGIN=ON >"$tmp/cmake.log" 2>&1 \
  || { tail -n 30 "$tmp/cmake.log" >&2; echo "setup-llama-cpp: cmake configure failed" >&2; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)
# Progress: ninja's [n/total] lines, one in 20 (the log keeps them all).
if ! cmake --build "$tmp/build" --target llama-server llama -j "$jobs" 2>&1 | tee "$tmp/build.log" \
  | awk '/^\[[0-9]+\/[0-9]+\]/{n++; if (n % 20 == 0) {print "  " $1; fflush()}}' >&2; then
  tail -n 40 "$tmp/build.log" >&2
  echo "setup-llama-cpp: the llama.cpp build failed; nothing was kept" >&2
  exit 1
fi
cp -a "$tmp/build/bin/llama-server" "$tmp"/build/bin/lib*.so* "$tmp/bin/"
"$tmp/bin/llama-server" --version >/dev/null 2>&1 || { echo "setup-llama-cpp: the built llama-server does not run" >&2; exit 1; }

step "llama-cpp-python $version into the virtualenv (Python only: it loads the libllama built above)"
# LLAMA_BUILD=OFF: the package's own CMake build compiles nothing.
CMAKE_ARGS="-DLLAMA_BUILD=OFF -DLLAVA_BUILD=OFF" "$venv/bin/pip" install "${pipq[@]}" --no-deps --no-build-isolation \
  --no-index --find-links "$tmp/src" --require-hashes -r "$tmp/llama-cpp-python.txt" 2>&1 | quiet \
  || { echo "setup-llama-cpp: pip failed on llama-cpp-python; nothing was kept" >&2; exit 1; }

step "tiny model: seeded random weights with llama.cpp's SPM vocabulary"
"$venv/bin/python" "$root/scripts/make-tiny-gguf.py" "$tree/models/ggml-vocab-llama-spm.gguf" "$tmp/models/tiny.gguf"

# Both servers must load the model before anything is kept.
LLAMA_CPP_LIB_PATH="$tmp/bin" "$venv/bin/python" -c '
import sys, llama_cpp
m = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=256, verbose=False)
assert len(m.tokenize(b"hello")) > 0
' "$tmp/models/tiny.gguf" || { echo "setup-llama-cpp: llama-cpp-python cannot load the model" >&2; exit 1; }

# The Python server with its library path set: what a user (and the tests) run.
cat >"$tmp/bin/llama-cpp-python-server" <<WRAP
#!/bin/sh
# llama-cpp-python's OpenAI-compatible server, loading the libllama built beside this script.
here=\$(cd "\$(dirname "\$0")" && pwd)
LLAMA_CPP_LIB_PATH="\$here" exec "\$here/../venv/bin/python" -m llama_cpp.server "\$@"
WRAP
chmod +x "$tmp/bin/llama-cpp-python-server"

cp -a "$tree/vendor" "$tmp/vendor"

rm -rf "$dir/bin" "$dir/models" "$dir/vendor"
mv "$tmp/bin" "$tmp/models" "$tmp/vendor" "$dir/"
trap - EXIT
rm -rf "$tmp"
step "built llama.cpp (llama-cpp-python $version) in $dir: bin/llama-server, bin/llama-cpp-python-server, models/tiny.gguf"
echo "$dir"
