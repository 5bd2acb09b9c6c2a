#!/usr/bin/env bash
# Installs Debian's redis-server and postgresql for the queue-mode suite when they are missing (the suite starts its
# own Redis and PostgreSQL on free ports with data folders of their own; see test/e2e/queue/services.ts).
# Debian's packages would start a system Redis and create and start a PostgreSQL cluster on the default ports while
# they install: nothing of that is wanted here, so both are held back for the install (policy-rc.d, and
# postgresql-common's create_main_cluster), and the settings are put back afterwards.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
if [ "${#need[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "[install-services] missing: ${need[*]}; run as root, or: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi

policy=/usr/sbin/policy-rc.d
cluster_conf=/etc/postgresql-common/createcluster.d/90-n8n-queue-suite.conf
made_policy=''
cleanup() {
  if [ -n "$made_policy" ]; then rm -f "$policy"; fi
  rm -f "$cluster_conf"
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# held back by the queue-mode suite while it installs packages\nexit 101\n' >"$policy"
  chmod +x "$policy"
  made_policy=1
fi
mkdir -p "$(dirname "$cluster_conf")"
echo 'create_main_cluster = false' >"$cluster_conf"

echo "[install-services] apt-get install ${need[*]} (Debian's packages)" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
command -v redis-server >/dev/null
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
