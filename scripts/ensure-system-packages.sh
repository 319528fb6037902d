#!/usr/bin/env bash
# Make sure the Debian packages the tests need (scripts/system-packages) are installed.
#
# Missing ones are installed with apt-get when this user may (root, or sudo without a
# password); otherwise it stops with one line saying what to install.
#
#   scripts/ensure-system-packages.sh                 # check, install what is missing
#   scripts/ensure-system-packages.sh --dry-run       # say what it would do, change nothing
#   SYSTEM_PACKAGES=other-list scripts/ensure-system-packages.sh   # another list
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
list="${SYSTEM_PACKAGES:-$here/system-packages}"
dry_run=false
if [ "${1:-}" = "--dry-run" ]; then
  dry_run=true
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--dry-run]" >&2
  exit 2
fi

present() {
  case "$1" in
    /*) [ -e "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing=()
while read -r package program _; do
  case "$package" in "" | "#"*) continue ;; esac
  if ! present "${program:-$package}"; then
    missing+=("$package")
  fi
done <"$list"

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "The tests need Debian packages that are missing: run sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

if $dry_run; then
  echo "Would install: ${as_root[*]:+${as_root[*]} }apt-get install -y ${missing[*]}"
  exit 0
fi

echo "Installing the Debian packages the tests need: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
