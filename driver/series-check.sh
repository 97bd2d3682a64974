#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: series-check.sh TARBALL DIR SERIES_DIR FRAGMENT...
# Apply the exported series with git am to a fresh extraction of the base
# tree in DIR/linux and build it (tinyconfig + FRAGMENTs) in DIR/out: what a
# kernel builder does with our patches on their own 6.1.y tree.
#
# Then every prefix of the series, compiled: at each patch, in DIR/prefix,
# the objects of every C file the series touches that the final build
# compiled (a header a patch changes reaches them all), where the file
# exists at that patch.  Kbuild rebuilds an object only when its sources
# or headers changed since the patch before, and ccache serves what a
# run before compiled.  What this cannot see is a symbol a prefix calls
# but defines only in a later patch: only a link would, and the link of
# each prefix would take a minute each.  SERIES_PREFIXES=0 skips it.
set -eu
tarball=$1 dir=$2 series=$3
shift 3
repo=$(cd "$(dirname "$0")/.." && pwd)

cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
# kmake OUT ARGS...: kbuild of DIR/linux in OUT.  Same relative paths as
# build/linux: ccache hits.
kmake() {
	local out=$1
	shift
	CCACHE_BASEDIR=$dir CCACHE_NOHASHDIR=1 make -s -C "$dir/linux" O="$out" \
		ARCH=x86_64 CC="$cc" -j"$(nproc)" "$@"
}

rm -rf "$dir"
mkdir -p "$dir/linux"
echo "[series-check] extracting a fresh base tree into $dir/linux"
tar -xf "$tarball" -C "$dir/linux" --strip-components=1
git -C "$dir/linux" init -q -b main
git -C "$dir/linux" add -f -A .
git -C "$dir/linux" -c user.name=check -c user.email=check@localhost commit -q -m base
git -C "$dir/linux" tag base
for p in "$series"/*.patch; do
	# The cover letter is a mail with no change to apply.
	[ "$(basename "$p")" != 0000-cover-letter.patch ] || continue
	echo "[series-check] git am $(basename "$p")"
	git -C "$dir/linux" -c user.name=check -c user.email=check@localhost am -q "$p" ||
		{ echo "[series-check] error: $(basename "$p") does not apply" >&2; exit 1; }
done
"$repo/driver/config.sh" "$dir/linux" "$dir/out" "$@"
echo "[series-check] building (log: $dir/build.log)"
kmake "$dir/out" bzImage >"$dir/build.log" 2>&1 ||
	{ grep -E 'error|Error' "$dir/build.log" | head -n 20 >&2
	  echo "[series-check] error: the series does not build" >&2; exit 1; }
n=$(git -C "$dir/linux" rev-list --count base..main)
echo "[series-check] $n patches apply with git am and build"

[ "${SERIES_PREFIXES:-1}" != 0 ] || exit 0
# The objects: the series' C files that the final build compiled.
objs=$(git -C "$dir/linux" diff --name-only base main -- '*.c' | sed 's/\.c$/.o/' |
	while read -r o; do
		if [ -f "$dir/out/$o" ]; then echo "$o"; fi
	done)
mkdir -p "$dir/prefix"
cp "$dir/out/.config" "$dir/prefix/.config"
start=$(date +%s) i=0
for c in $(git -C "$dir/linux" rev-list --reverse base..main); do
	i=$((i + 1))
	git -C "$dir/linux" checkout -q "$c"
	targets=
	for o in $objs; do
		if [ -f "$dir/linux/${o%.o}.c" ]; then targets="$targets $o"; fi
	done
	# shellcheck disable=SC2086
	if ! kmake "$dir/prefix" $targets >"$dir/prefix.log" 2>&1; then
		grep -E 'error|Error' "$dir/prefix.log" | head -n 20 >&2
		echo "[series-check] error: patch $i ($(git -C "$dir/linux" log -1 --format=%s "$c")) does not compile" >&2
		git -C "$dir/linux" checkout -q main
		exit 1
	fi
done
git -C "$dir/linux" checkout -q main
echo "[series-check] each of the $n prefixes compiles its files of the series ($(echo "$objs" | wc -w) objects; $(($(date +%s) - start)) s)"
