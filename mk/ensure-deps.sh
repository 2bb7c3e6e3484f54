#!/bin/sh
# Installs the Debian packages the build needs, or tells the exact command to run.
# Usage: mk/ensure-deps.sh PACKAGE...
set -eu
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ocamljit: missing Debian packages:$missing" >&2
  echo "run as root:  apt-get update && apt-get install -y$missing" >&2
  exit 1
fi
echo "ocamljit: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null || apt-get -o DPkg::Lock::Timeout=600 update
apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends $missing >/dev/null ||
  apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends $missing
