#!/usr/bin/env bash
# Installs what a fresh Debian machine with the Swift toolchain lacks, for the main job and for
# every test (the dashboard tests drive a headless Chromium). Both README commands call it;
# CI installs nothing else. Idempotent: a second run finds everything present and installs
# nothing.
set -euo pipefail

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v redis-cli >/dev/null || need_apt+=(redis-tools)
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
command -v curl >/dev/null || need_apt+=(curl)
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || [ -n "${TXSTATS_TEST_CHROMIUM:-}" ] || need_apt+=(chromium)
pkg-config --exists hiredis 2>/dev/null || need_apt+=(libhiredis-dev)
pkg-config --exists libmongoc-1.0 2>/dev/null || need_apt+=(libmongoc-dev)
pkg-config --exists libbson-1.0 2>/dev/null || need_apt+=(libbson-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
# A MongoDB wire-protocol server for the demo and the tests (no mongod is packaged for Debian).
if ! command -v secantusd-py >/dev/null; then
  echo "setup: installing SecantusDB (pip)" >&2
  python3 -m pip install -q SecantusDB >&2 || python3 -m pip install -q --break-system-packages SecantusDB >&2
fi
command -v swift >/dev/null || { echo "setup: the Swift toolchain (swift) is not on PATH" >&2; exit 1; }
