#!/bin/sh
# build-image.sh: build drydock's built-in images from Debian's busybox-static.
#
#   sh scripts/build-image.sh busybox OUT.tar
#   sh scripts/build-image.sh probe OUT.tar PATH/TO/ddprobe
#
# The root holds /bin/busybox, a hard link to it for each applet, a
# minimal /etc and the empty directories a system expects; the probe image
# adds /bin/ddprobe.  The tarball is reproducible: numeric owner root,
# sorted names, every mtime at the epoch.
set -eu

usage() {
	echo "usage: sh $0 busybox OUT.tar | probe OUT.tar PATH/TO/ddprobe" >&2
	exit 2
}

[ $# -ge 2 ] || usage
kind=$1
out=$2
probe=
case $kind in
busybox) [ $# -eq 2 ] || usage ;;
probe)
	[ $# -eq 3 ] || usage
	probe=$3
	[ -f "$probe" ] || { echo "build-image.sh: no probe at '$probe' (run 'make build/ddprobe')" >&2; exit 1; }
	;;
*) usage ;;
esac

busybox=/bin/busybox
if ! [ -x "$busybox" ] || ! "$busybox" --list-full >/dev/null 2>&1; then
	echo "build-image.sh: $busybox is missing: install busybox-static (make deps)" >&2
	exit 1
fi
# A dynamically linked busybox would not run inside the image.
if command -v file >/dev/null 2>&1 && file -L "$busybox" | grep -q "dynamically linked"; then
	echo "build-image.sh: $busybox is dynamically linked: install busybox-static" >&2
	exit 1
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/drydock-image.XXXXXX")
trap 'rm -rf "$root" "$out.tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The directories every image has; /tmp is sticky and world-writable.
for d in bin sbin usr/bin usr/sbin etc proc sys dev tmp root home var var/tmp mnt run; do
	mkdir -p "$root/$d"
done
chmod 0755 "$root"
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 0700 "$root/root"

install -m 0755 "$busybox" "$root/bin/busybox"

# One hard link to busybox per applet, as Docker's busybox image has them:
# a link costs a container's root copy far less than a symlink does.
"$busybox" --list-full | while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	dir=${applet%/*}
	[ -d "$root/$dir" ] || mkdir -p "$root/$dir"
	ln -f "$root/bin/busybox" "$root/$applet"
done

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
cat >"$root/etc/hosts" <<'EOF'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
EOF
chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/etc/hosts"

if [ "$kind" = probe ]; then
	install -m 0755 "$probe" "$root/bin/ddprobe"
fi

tar --create --file="$out.tmp" --directory="$root" \
	--numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 \
	--format=gnu .
mv -f "$out.tmp" "$out"
