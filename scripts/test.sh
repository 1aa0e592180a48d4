#!/usr/bin/env bash
# The test command: installs missing system packages, builds everything (the integration tests
# run the real executables), then runs unit and integration tests. The integration tests start
# their own redis-server on free loopback ports and stop them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
