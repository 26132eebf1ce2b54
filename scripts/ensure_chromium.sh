#!/usr/bin/env bash
# Browser tests drive Debian's chromium through Playwright; a browser download is never used.
# As root, install it when missing; otherwise the browser tests skip with a loud notice
# (unless CI=true, where they fail instead of skipping).
set -u
chromium_bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium_bin" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null \
    && exit 0
  echo "!! apt-get could not install chromium." >&2
fi
echo "!! chromium is not installed: browser tests will be SKIPPED (CI=true makes them fail)." >&2
exit 0
