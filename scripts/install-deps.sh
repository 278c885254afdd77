#!/bin/sh
# Install every Debian package drydock needs to build, test and benchmark.
# Idempotent: packages already present are not fetched again.  Called by
# `make deps`, `make demo`, `make test` and the Vagrant provisioning.
set -eu

# libarchive is linked statically: its compression libraries' -dev
# packages provide what the linker needs.
BUILD="build-essential pkg-config libarchive-dev libjansson-dev libcmocka-dev
       libzstd-dev liblz4-dev libbz2-dev liblzma-dev zlib1g-dev libacl1-dev
       nettle-dev libxml2-dev
       liblua5.4-dev lua5.4 libnl-3-dev libnl-route-3-dev libcap-dev
       libseccomp-dev libnftables-dev nftables busybox-static iproute2
       uidmap slirp4netns"
BENCH="crun runc podman hyperfine"
VM="qemu-system-x86 qemu-utils debootstrap"

pkgs="$BUILD"
case "${1:-}" in
--bench) pkgs="$pkgs $BENCH" ;;
--vm) pkgs="$pkgs $VM" ;;
--all) pkgs="$pkgs $BENCH $VM" ;;
esac

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when they are missing or a day old.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then
	apt-get update -q
fi
apt-get install -y -q --no-install-recommends $missing
