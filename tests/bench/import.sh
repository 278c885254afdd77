# import.sh: image import throughput (sourced by run.sh).
#
# The same tarball, a small root (the busybox image) and a large one
# (~LARGE_MB MB of random files around the busybox root, made once and
# cached in build/bench/cache), through `drydock import` against `tar -x`
# into an empty directory and `podman import`.  `podman load` and
# `drydock load` read a docker-archive of the same
# content that podman saved.  Every run starts from an empty target.

I=$T/import
mkdir -p "$I"

# The large root: a fifth of it in 16 KiB files over 64 directories, the
# rest in 40 big files, so both per-file and per-byte costs show.
large_root() {
	tarball=$CACHE/root-${LARGE_MB}m.tar
	if [ ! -f "$tarball" ]; then
		log "import: making a $LARGE_MB MB root, once (cached as $tarball)"
		g=$T/large-root
		mkdir -p "$g/usr/share/bench" "$g/usr/lib/bench"
		tar -xf "$IMAGE_TAR" -C "$g"
		small_kib=$((LARGE_MB * 1024 / 5 / 64))
		big_kib=$((LARGE_MB * 1024 * 4 / 5 / 40))
		d=0
		while [ "$d" -lt 64 ]; do
			mkdir -p "$g/usr/share/bench/$d"
			head -c "${small_kib}K" /dev/urandom | split -b 16K -a 3 - "$g/usr/share/bench/$d/f"
			d=$((d + 1))
		done
		f=0
		while [ "$f" -lt 40 ]; do
			head -c "${big_kib}K" /dev/urandom >"$g/usr/lib/bench/blob$f"
			f=$((f + 1))
		done
		tar -C "$g" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
		rm -rf --one-file-system "$g"
	fi
	echo "$tarball"
}

# import_command DIR NAME COMMAND PREPARE: measure it if one run works
# (both are sh command lines).
import_command() {
	sh -c "$4" >/dev/null 2>&1 || true
	if probe "$1/$2.err" sh -c "$3"; then
		printf '%s\t%s\t%s\n' "$2" "$3" "$4" >>"$1/commands.tsv"
	else
		printf '%s\tfailed: %s\n' "$2" "$(reason "$1/$2.err")" >>"$1/na.tsv"
	fi
}

# import_bench LABEL TARBALL ROUNDS
import_bench() {
	label=$1 tarball=$2 rounds=$3
	dir=$I/$label
	mkdir -p "$dir"
	: >"$dir/commands.tsv"
	: >"$dir/na.tsv"
	mib=$(awk -v b="$(stat -c %s "$tarball")" 'BEGIN { printf "%.1f", b / 1048576 }')
	result "import_size_mib_$label" "$mib"
	tb=$(q "$tarball")
	archive=$dir/archive.tar
	pi=$PODMAN_IMPORT

	import_command "$dir" tar "tar -xf $tb -C $(q "$dir/x")" \
		"rm -rf --one-file-system $(q "$dir/x") && mkdir -p $(q "$dir/x")"
	if [ -n "$drydock_error" ] && [ ! -x "$DD" ]; then
		printf 'drydock-import\t%s\n' "$drydock_error" >>"$dir/na.tsv"
	else
		import_command "$dir" drydock-import "$(q "$DD") --root $(q "$dir/dd") import $tb bench" \
			"rm -rf --one-file-system $(q "$dir/dd")"
	fi
	if [ -n "$podman_error" ]; then
		printf 'podman-import\t%s\npodman-load\t%s\n' "$podman_error" "$podman_error" >>"$dir/na.tsv"
	else
		import_command "$dir" podman-import "$pi import -q $tb bench" \
			"$pi rmi -f bench >/dev/null 2>&1 || true"
		# The archive for the loads: the same content, saved by podman.
		if $pi import -q "$tarball" bench >/dev/null 2>"$dir/save.err" &&
			$pi save -q -o "$archive" bench 2>>"$dir/save.err"; then
			import_command "$dir" podman-load "$pi load -q -i $(q "$archive")" \
				"$pi rmi -f bench >/dev/null 2>&1 || true"
		else
			printf 'podman-load\tfailed to save an archive: %s\n' "$(reason "$dir/save.err")" >>"$dir/na.tsv"
		fi
	fi
	if [ ! -f "$archive" ]; then
		printf 'drydock-load\tno archive to load\n' >>"$dir/na.tsv"
	elif [ ! -x "$DD" ]; then
		printf 'drydock-load\t%s\n' "$drydock_error" >>"$dir/na.tsv"
	else
		import_command "$dir" drydock-load "$(q "$DD") --root $(q "$dir/ddl") load -i $(q "$archive")" \
			"rm -rf --one-file-system $(q "$dir/ddl")"
	fi

	if [ -s "$dir/commands.tsv" ]; then
		log "import: $label root ($mib MiB), $rounds rounds"
		run_rounds "$dir" "$rounds" 1 sh
	fi
	touch "$dir/runs.tsv"
	cp "$dir/runs.tsv" "$OUT/import-$label-runs.tsv"

	for name in tar drydock-import drydock-load podman-import podman-load; do
		k=$(echo "$name" | tr -- '-' '_')
		case $name in
		tar) what="\`tar -x\`" ;;
		drydock-import) what="\`drydock import\`" ;;
		drydock-load) what="\`drydock load\` (docker-archive)" ;;
		podman-import) what="\`podman import\`" ;;
		podman-load) what="\`podman load\` (docker-archive)" ;;
		esac
		why=$(awk -F'\t' -v n="$name" '$1 == n { print $2; exit }' "$dir/na.tsv")
		if [ -n "$why" ]; then
			why=$(echo "$why" | sed 's/^drydock: //')
			result "import_s_${label}_$k" "n/a ($why)"
			md "| $label | $mib | $what | n/a ($why) | | | | |"
			continue
		fi
		set -- $(summarize "$dir/runs.tsv" "$name")
		runs=$1 failed=$2
		secs=$(awk -v ms="$3" 'BEGIN { if (ms == "n/a") print "n/a"; else printf "%.3f", ms / 1000 }')
		rate=$(awk -v s="$secs" -v m="$mib" 'BEGIN { if (s == "n/a" || s == 0) print "n/a"; else printf "%.0f", m / s }')
		result "import_s_${label}_$k" "$secs"
		result "import_mibps_${label}_$k" "$rate"
		ratio=""
		if [ "$name" != drydock-import ] && grep -q '^drydock-import	' "$dir/commands.tsv"; then
			set -- $(paired_ratio "$dir/runs.tsv" drydock-import "$name")
			ratio=$1
			result "import_ratio_drydock_${label}_$k" "$1"
		fi
		md "| $label | $mib | $what | $secs | $rate | $runs | $failed | $ratio |"
	done
	# Free the disk before the next size.
	$pi rmi -af >/dev/null 2>&1 || true
	rm -rf --one-file-system "$dir/x" "$dir/dd" "$dir/ddl" "$archive"
}

md "## Image import"
md ""
md "The same tarball into an empty target; $SMALL_ROUNDS rounds (small) and $LARGE_ROUNDS (large),"
md "each running every tool once."
md "Last column: \`drydock import\`'s time divided by this row's, median over the rounds"
md "(goal against \`tar -x\`: at most 1.2)."
md ""
md "| root | MiB | tool | median s | MiB/s | runs | failed | drydock import / this |"
md "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"
import_bench small "$IMAGE_TAR" "$SMALL_ROUNDS"
import_bench large "$(large_root)" "$LARGE_ROUNDS"
md ""
