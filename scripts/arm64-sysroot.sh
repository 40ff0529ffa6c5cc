#!/usr/bin/env bash
# Prepares the arm64 sysroot that `qemu-aarch64 -L DIR` runs the linux-arm64 binary against:
# Debian's arm64 libc6, libgcc-s1 and libstdc++6 packages, unpacked. Idempotent; prints DIR.
#
#   scripts/arm64-sysroot.sh [DIR]     default: <repo>/.tmp/arm64-sysroot
#
# Needs root the first time (dpkg --add-architecture arm64, apt-get update, apt-get download).
set -euo pipefail

dir=${1:-$(cd "$(dirname "$0")/.." && pwd)/.tmp/arm64-sysroot}
packages=(libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64)

if [[ -f $dir/.complete ]]; then echo "$dir"; exit 0; fi

if ! dpkg --print-foreign-architectures | grep -qx arm64; then dpkg --add-architecture arm64; fi
# apt only knows arm64 packages once its lists for that architecture are fetched.
if ! apt-cache show libc6:arm64 >/dev/null 2>&1; then apt-get update -qq; fi

debs=$(mktemp -d)
trap 'rm -rf "$debs" "$dir.partial"' EXIT
chown _apt "$debs" 2>/dev/null || true # apt downloads as the _apt user
(cd "$debs" && apt-get download -qq "${packages[@]}")

rm -rf "$dir.partial"
mkdir -p "$dir.partial"
for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$dir.partial"; done
touch "$dir.partial/.complete"
rm -rf "$dir"
mv "$dir.partial" "$dir"
echo "$dir"
