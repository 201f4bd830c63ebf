#!/usr/bin/env bash
# Creates the unprivileged account the test suite runs sandboxes as. Real
# users are unprivileged, so every binary test runs as root and as this user.
set -euo pipefail
user=mxc-test
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: unprivileged tests run as $(id -un)"; exit 0
fi
if ! id "$user" >/dev/null 2>&1; then
  useradd --system --create-home --home-dir /var/lib/mxc-test --shell /bin/bash "$user"
fi
echo "test user: $user ($(id -u "$user"))"
