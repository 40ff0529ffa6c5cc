#!/usr/bin/env bash
# The file set of the Dockerfile's final `FROM scratch` stage, taken from this (Debian) machine.
#
#   scripts/rootfs-files.sh BINARY DIR     assemble the root filesystem in DIR (run as root)
#   scripts/rootfs-files.sh --list BINARY  print the host files it copies, one per line
#
# DIR gets: /modelmux, the shared libraries BINARY links (from ldd) plus libgcc_s (glibc
# dlopens it for thread cancellation), CA certificates, /etc/passwd + /etc/group with the
# non-root user modelmux (uid/gid 10001), /etc/nsswitch.conf, /data (0700, owned by 10001)
# and /tmp (1777). BINARY must be a glibc binary for this machine's architecture.
set -euo pipefail

uid=10001
certs=/etc/ssl/certs/ca-certificates.crt

# Prints the absolute paths of the shared libraries BINARY needs, the loader included.
libraries() {
  local libs
  libs=$(ldd "$1" | grep -o '/[^ ]*') || { echo "ldd failed on $1 (not a glibc binary for this machine?)" >&2; return 1; }
  echo "$libs"
  local libc_dir
  libc_dir=$(dirname "$(grep -m1 '/libc\.so\.6$' <<<"$libs")")
  if [[ -e $libc_dir/libgcc_s.so.1 ]]; then echo "$libc_dir/libgcc_s.so.1"; fi
}

if [[ ${1:-} == --list ]]; then
  [[ $# -eq 2 ]] || { echo "usage: $0 --list BINARY" >&2; exit 2; }
  realpath "$2"
  libraries "$2"
  echo "$certs"
  exit 0
fi

[[ $# -eq 2 ]] || { echo "usage: $0 BINARY DIR | --list BINARY" >&2; exit 2; }
binary=$1 dir=$2
[[ -f $certs ]] || { echo "missing $certs (apt-get install ca-certificates)" >&2; exit 1; }
libs=$(libraries "$binary")

mkdir -p "$dir/etc/ssl/certs" "$dir/data" "$dir/tmp"
chmod 0755 "$dir"
install -m 0755 "$binary" "$dir/modelmux"
# Keep each library at the path the loader looks for it (the interpreter's path is fixed in the ELF).
while read -r lib; do
  mkdir -p "$dir$(dirname "$lib")"
  cp -L "$lib" "$dir$lib"
done <<<"$libs"
cp -L "$certs" "$dir$certs"
printf 'root:x:0:0:root:/root:/sbin/nologin\nmodelmux:x:%d:%d:modelmux:/data:/sbin/nologin\n' $uid $uid >"$dir/etc/passwd"
printf 'root:x:0:\nmodelmux:x:%d:\n' $uid >"$dir/etc/group"
printf 'hosts: files dns\n' >"$dir/etc/nsswitch.conf"
chown $uid:$uid "$dir/data"
chmod 0700 "$dir/data"
chmod 1777 "$dir/tmp"
