#!/usr/bin/env bash
# Validates the Kubernetes manifests under deploy/k8s without a cluster:
#
#   1. renders every kustomization (deploy/k8s, deploy/k8s/secrets, deploy/k8s/jobs/*) with
#      `kubectl kustomize`;
#   2. validates every rendered resource against the Kubernetes JSON schemas of the PyPI package
#      kubernetes-validate, in strict mode (unknown fields are errors), for Kubernetes
#      $CLEARANCE_K8S_VERSION (default 1.32);
#   3. runs the structural checks of scripts/k8s-check.py on the rendered YAML (probes on the
#      health endpoints, resources and a locked-down security context on every container,
#      references that resolve, only settings the service reads, placeholder-only Secrets, an
#      autoscaler metric the code exports, ...).
#
# Prints `k8s manifests: N passed, M failed`; exits non-zero when rendering or any check fails.
# Without kubectl it prints why and skips (exit 0), unless CLEARANCE_K8S_REQUIRE_KUBECTL=1.
#
# kubernetes-validate is installed once into a virtualenv in the cache that scripts/servers.sh
# uses: $CLEARANCE_CACHE_DIR, default /var/cache/clearance as root, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/clearance; afterwards a run takes a few seconds.
#
# Settings (environment):
#   CLEARANCE_K8S_VERSION          Kubernetes version to validate against (default 1.32)
#   CLEARANCE_K8S_REQUIRE_KUBECTL  1: a missing kubectl is an error, not a skip
#   KUBECTL                        the kubectl to use (default: kubectl on PATH)
set -euo pipefail
umask 022

readonly KV_VERSION="1.37.0"   # PyPI kubernetes-validate: schemas for Kubernetes 1.25 to 1.37
K8S_VERSION="${CLEARANCE_K8S_VERSION:-1.32}"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

log() { printf 'k8s-validate: %s\n' "$*" >&2; }
die() { printf 'k8s-validate: ERROR: %s\n' "$*" >&2; exit 1; }

if [[ $(id -u) -eq 0 ]]; then
  CACHE_DIR="${CLEARANCE_CACHE_DIR:-/var/cache/clearance}"
else
  CACHE_DIR="${CLEARANCE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/clearance}"
fi
VENV="$CACHE_DIR/k8s-venv/kubernetes-validate-$KV_VERSION"
LOCK_DIR="$CACHE_DIR/locks"
LOG_DIR="$CACHE_DIR/logs"

KUBECTL="${KUBECTL:-kubectl}"
if ! command -v "$KUBECTL" >/dev/null 2>&1; then
  if [[ "${CLEARANCE_K8S_REQUIRE_KUBECTL:-0}" == "1" ]]; then
    die "kubectl not found (needed to render deploy/k8s with its built-in kustomize)"
  fi
  echo "k8s-validate: SKIPPED: kubectl not found, so deploy/k8s was not rendered or validated."
  echo "k8s-validate: install kubectl (it has kustomize built in) to run these checks."
  exit 0
fi

# ---------------------------------------------------------------- the validator's virtualenv

venv_works() {
  [[ -x "$VENV/bin/python" ]] \
    && "$VENV/bin/python" -c 'import kubernetes_validate, yaml' >/dev/null 2>&1
}

install_venv() {
  command -v python3 >/dev/null 2>&1 || die "python3 not found: it runs kubernetes-validate"
  mkdir -p "$LOCK_DIR" "$LOG_DIR" "$(dirname "$VENV")"
  exec 9>"$LOCK_DIR/k8s-venv-$KV_VERSION.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  # Another run may have installed it while this one waited for the lock.
  if venv_works; then exec 9>&-; return 0; fi
  local tmp plog="$LOG_DIR/k8s-venv-$KV_VERSION.log"
  log "installing kubernetes-validate==$KV_VERSION into $VENV (once; log: $plog)"
  # Built beside its final place and moved there only when complete, so an interrupted install
  # never leaves a half-made virtualenv behind.
  tmp="$(mktemp -d "$(dirname "$VENV")/.install.XXXXXX")"
  if ! python3 -m venv "$tmp" >"$plog" 2>&1; then
    rm -rf "$tmp"
    die "python3 -m venv failed (Debian/Ubuntu: apt-get install python3-venv); see $plog"
  fi
  if ! PIP_DISABLE_PIP_VERSION_CHECK=1 "$tmp/bin/python" -m pip install --no-input --quiet \
      "kubernetes-validate==$KV_VERSION" >>"$plog" 2>&1; then
    rm -rf "$tmp"
    die "pip could not install kubernetes-validate==$KV_VERSION (registry unreachable?); see $plog"
  fi
  # Only bin/python is used (never the scripts whose first line names the temporary path), and
  # it finds its packages from wherever the virtualenv sits.
  rm -rf "$VENV"
  mv "$tmp" "$VENV"
  venv_works || { rm -rf "$VENV"; die "the virtualenv at $VENV does not import kubernetes_validate; see $plog"; }
  exec 9>&-
}

venv_works || install_venv

# ---------------------------------------------------------------- render

RENDER_DIR="$(mktemp -d)"
trap 'rm -rf "$RENDER_DIR"' EXIT

kustomizations=(deploy/k8s deploy/k8s/secrets)
for dir in deploy/k8s/jobs/*/; do
  [[ -f "$dir/kustomization.yaml" ]] && kustomizations+=("${dir%/}")
done

rendered=()
for dir in "${kustomizations[@]}"; do
  out="$RENDER_DIR/$(printf '%s' "$dir" | tr '/' '_').yaml"
  if ! "$KUBECTL" kustomize "$dir" >"$out" 2>"$out.err"; then
    cat "$out.err" >&2
    echo "k8s manifests: 0 passed, 1 failed"
    die "kubectl kustomize $dir failed"
  fi
  rendered+=("$dir=$out")
done
log "rendered ${#kustomizations[@]} kustomizations with $("$KUBECTL" version --client 2>/dev/null | grep -i kustomize || echo kustomize)"

# ---------------------------------------------------------------- validate and check

"$VENV/bin/python" scripts/k8s-check.py --kubernetes-version "$K8S_VERSION" --repo . "${rendered[@]}"
