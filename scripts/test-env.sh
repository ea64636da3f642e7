#!/usr/bin/env bash
# Brings up what the test suite talks to on a fresh Debian machine: Debian's Chromium for
# the browser tests and the local PostgreSQL server. Run by `npm test` (pretest); safe to
# run again. Never downloads a browser of its own.
set -u

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-env: installing Debian's chromium for the browser tests…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "test-env: could not install chromium" >&2
  else
    echo "test-env: chromium is missing; install it with: sudo apt-get install chromium" >&2
  fi
fi

if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "test-env: starting PostgreSQL…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || echo "test-env: could not start PostgreSQL" >&2
  fi
fi
exit 0
