#!/usr/bin/env bash
# Installs the system libraries Foothold links against (libcurl sends digests), tzdata (time zones), and curl for the smoke test, when
# they are missing. Uses sudo when not root. Safe to run repeatedly.
set -euo pipefail
packages=(libsqlite3-dev zlib1g-dev libargon2-dev libcurl4-openssl-dev curl tzdata "$@")
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}"
