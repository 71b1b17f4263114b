#!/usr/bin/env bash
# Installs the system packages Vox builds with (Debian/Ubuntu); with --test, also what the tests need
# (headless Chromium and a font, for the dashboard's browser test; nats-server, for the JetStream tests). Idempotent: does nothing when they
# are all present. Run as root or with sudo available.
set -euo pipefail
packages=(libcurl4-openssl-dev zlib1g-dev libopenblas-dev libnats-dev libcld2-dev pkg-config pigz python3 python3-pip)
if [ "${1:-}" = "--test" ]; then
    packages+=(chromium fonts-dejavu-core nats-server)
fi
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
