#!/usr/bin/env bash
# Installs Debian's postgresql-15 (server binaries only; no cluster is created or started) when it
# is missing, for the team index tests (wrong password, TLS, no pgvector). Non-interactive: CI runs
# as root on a clean machine with no stdin. Usage: bash scripts/team/ensure-postgres.sh
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if [ -x /usr/lib/postgresql/15/bin/initdb ]; then echo "[team] postgresql-15: present"; exit 0; fi
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
# The package's postinstall creates a default cluster; policy-rc.d stops it from being started.
POLICY=/usr/sbin/policy-rc.d; MADE_POLICY=0
if [ ! -e "$POLICY" ]; then printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null; $SUDO chmod +x "$POLICY"; MADE_POLICY=1; fi
trap '[ "$MADE_POLICY" = 1 ] && $SUDO rm -f "$POLICY"' EXIT
$SUDO apt-get update -q </dev/null
$SUDO apt-get install -y -q --no-install-recommends postgresql-15 openssl </dev/null
echo "[team] postgresql-15: installed"
