#!/usr/bin/env bash
# The browser the web page tests drive: Debian's Chromium and its matching ChromeDriver, installed
# from the distribution's packages (never a browser download of its own).
#
#   scripts/browser.sh install   install chromium and chromium-driver when missing
#   scripts/browser.sh status    print the versions (exit 0 when both are present, 3 otherwise)
#
# Settings (environment): CLEARANCE_CHROMIUM (default /usr/bin/chromium) and
# CLEARANCE_CHROMEDRIVER (default /usr/bin/chromedriver), read by the tests as well.
set -euo pipefail

CHROMIUM="${CLEARANCE_CHROMIUM:-/usr/bin/chromium}"
CHROMEDRIVER="${CLEARANCE_CHROMEDRIVER:-/usr/bin/chromedriver}"
PACKAGES=(chromium chromium-driver)

present() {
  [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]]
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    return 1
  fi
}

install() {
  if present; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "[browser] $CHROMIUM or $CHROMEDRIVER is missing and there is no apt-get here;" \
      "install Chromium and a matching ChromeDriver, or set CLEARANCE_CHROMIUM/CLEARANCE_CHROMEDRIVER" >&2
    return 1
  fi
  echo "[browser] installing ${PACKAGES[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  # The package lists may be stale or absent on a fresh machine; refresh them only when needed.
  if ! as_root apt-get install -y --no-install-recommends "${PACKAGES[@]}"; then
    if ! as_root apt-get update; then
      echo "[browser] cannot run apt-get as root; install ${PACKAGES[*]} by hand" >&2
      return 1
    fi
    as_root apt-get install -y --no-install-recommends "${PACKAGES[@]}"
  fi
  present || { echo "[browser] installed, but $CHROMIUM or $CHROMEDRIVER is still missing" >&2; return 1; }
}

status() {
  if present; then
    "$CHROMIUM" --version 2>/dev/null || true
    "$CHROMEDRIVER" --version 2>/dev/null || true
    return 0
  fi
  echo "[browser] not installed ($CHROMIUM, $CHROMEDRIVER)"
  return 3
}

case "${1:-}" in
  install) install ;;
  status) status ;;
  *)
    echo "usage: $0 install|status" >&2
    exit 2
    ;;
esac
