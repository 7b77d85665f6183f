#!/usr/bin/env bash
# Makes sure the observability tools the project's tests and `npm run observe` use are installed:
#   docker-compose (Debian's v1.29, only to validate docker-compose*.yml with `config`; no engine needed)
#   prometheus     (Debian package; `npm run observe` runs it in the foreground)
# Idempotent: installs only what is missing (Debian packages, as root) and says what it did.
# Usage: bash lab/observe/ensure-tools.sh [docker-compose] [prometheus]   (default: both)
set -euo pipefail

say() { printf 'observe-tools: %s\n' "$*"; }

can_install() { [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }

explain_and_exit() {
  cat >&2 <<MSG
observe-tools: cannot install $1 here (needs root on Debian/Ubuntu; this is $(id -un) on $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME" || uname -s)).
Install it yourself, then run the command again:
  - Debian/Ubuntu:  sudo apt-get install -y $1
  - Or download the release from the project's site and put it on PATH.
MSG
  exit 1
}

APT_UPDATED=0
install_package() { # package
  can_install || explain_and_exit "$1"
  if [ "$APT_UPDATED" = 0 ] && ! apt-cache show "$1" >/dev/null 2>&1; then
    say "apt-get update"
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
    APT_UPDATED=1
  fi
  say "installing $1 from Debian packages"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$1" >/dev/null
}

ensure_tool() { # command package
  if command -v "$1" >/dev/null; then
    say "$1: already installed"
  else
    install_package "$2"
    command -v "$1" >/dev/null || { printf 'observe-tools: %s still missing after installing %s\n' "$1" "$2" >&2; exit 1; }
  fi
}

tools=("$@")
[ "${#tools[@]}" -gt 0 ] || tools=(docker-compose prometheus)
for tool in "${tools[@]}"; do
  case "$tool" in
    docker-compose) ensure_tool docker-compose docker-compose ;;
    prometheus) ensure_tool prometheus prometheus ;;
    *) printf 'observe-tools: unknown tool %s (known: docker-compose, prometheus)\n' "$tool" >&2; exit 2 ;;
  esac
done
