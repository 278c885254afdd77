#!/bin/sh
# handout.sh NN DEST: a student tree for lab NN (`make handout LAB=NN DEST=dir`).
#
# Copies the tree (the files git knows, or every file but build/ and .git/
# outside a checkout), then cuts the solution regions of lab NN and every
# later lab out of chapters/ and core/.  All or nothing: on any error DEST
# is not created.
set -eu
cd "$(dirname "$0")/../.."

lab=${1:-}
dest=${2:-}
lab=$(printf '%02d' "$(expr "$lab" + 0 2>/dev/null || echo x)" 2>/dev/null) || {
	echo "handout: LAB must be a lab number such as 03, not '${1:-}'" >&2
	exit 2
}
if [ -z "$dest" ]; then
	echo "usage: make handout LAB=NN DEST=dir" >&2
	exit 2
fi
set -- labs/"$lab"-*
if [ ! -d "$1" ]; then
	echo "handout: there is no lab $lab (labs/$lab-*); the labs are: $(ls labs | tr '\n' ' ')" >&2
	exit 2
fi
if [ -e "$dest" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
	echo "handout: '$dest' exists and is not empty: give a new directory" >&2
	exit 2
fi
[ -x build/ddhandout ] || make -s build/ddhandout

partial="$dest.partial.$$"
trap 'rm -rf "$partial"' EXIT INT TERM
mkdir -p "$partial"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf - | tar -xf - -C "$partial"
else
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$partial"
fi
files=$(cd "$partial" && find chapters core -name '*.[ch]' | sort)
(cd "$partial" && "$OLDPWD/build/ddhandout" --lab "$lab" $files)
echo "drydock handout for lab $lab" >"$partial/HANDOUT"
[ -d "$dest" ] && rmdir "$dest"
mv "$partial" "$dest"
trap - EXIT INT TERM
echo "handout for lab $lab written to $dest"
