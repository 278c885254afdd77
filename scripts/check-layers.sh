#!/bin/sh
# check-layers.sh: every #include in core/ and chapters/ runs down the
# layers, never up (doc/architecture.md, "Layers"):
#
#   base  <-  stage.h (the chapters' contract)  <-  chapters  <-  runtime
#         <-  image  <-  engine  <-  front ends (cli, lua, lab)
#
# A chapter sees only core/stage.h, core/base/ and earlier chapters; no
# front end but the lab tools includes the lab tools, so the drydock
# binary never links them.  Prints each include that runs the wrong way
# and exits 1 if there is one.
set -eu
cd "$(dirname "$0")/.."

# The layer of a path, as a rank: lower is further down.
rank() {
	case "$1" in
	core/base/*) echo 0 ;;
	core/stage.h) echo 1 ;;
	chapters/*) echo 2 ;;
	core/runtime/*) echo 3 ;;
	core/image/*) echo 4 ;;
	core/engine/*) echo 5 ;;
	core/cli/* | core/lua/* | core/lab/*) echo 6 ;;
	*) echo unknown ;;
	esac
}

chapter_of() {
	echo "$1" | sed -n 's|^chapters/\([0-9][0-9]\)-.*|\1|p'
}

bad=0
for f in $(find core chapters -name '*.[ch]' | sort); do
	from=$(rank "$f")
	if [ "$from" = unknown ]; then
		echo "check-layers: $f is in no layer: move it into one of core/'s folders" >&2
		bad=1
		continue
	fi
	dir=$(dirname "$f")
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		# A bare name is the including file's own folder.
		case "$inc" in
		*/*) target=$inc ;;
		*) target=$dir/$inc ;;
		esac
		if [ ! -f "$target" ]; then
			echo "check-layers: $f includes \"$inc\", which is not $target: include by the path from the top of the tree" >&2
			bad=1
			continue
		fi
		to=$(rank "$target")
		why=""
		if [ "$to" = unknown ] || [ "$to" -gt "$from" ]; then
			why="a lower layer may not include a higher one"
		elif [ "$from" = 2 ] && [ "$to" = 2 ]; then
			a=$(chapter_of "$f")
			b=$(chapter_of "$target")
			[ "$b" -gt "$a" ] && why="a chapter may use only earlier chapters"
		fi
		case "$target" in
		core/lab/*)
			case "$f" in
			core/lab/*) ;;
			*) why="only the lab tools include the lab tools (drydock must not link them)" ;;
			esac
			;;
		esac
		if [ -n "$why" ]; then
			echo "check-layers: $f includes $target: $why" >&2
			bad=1
		fi
	done
done
[ "$bad" = 0 ] && echo "check-layers: every include runs down the layers"
exit "$bad"
