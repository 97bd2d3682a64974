#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: series-check.sh TARBALL DIR SERIES_DIR FRAGMENT...
# Apply the exported series with git am to a fresh extraction of the base
# tree in DIR/linux and build it (tinyconfig + FRAGMENTs) in DIR/out: what a
# kernel builder does with our patches on their own 6.1.y tree.
set -eu
tarball=$1 dir=$2 series=$3
shift 3
repo=$(cd "$(dirname "$0")/.." && pwd)

rm -rf "$dir"
mkdir -p "$dir/linux"
echo "[series-check] extracting a fresh base tree into $dir/linux"
tar -xf "$tarball" -C "$dir/linux" --strip-components=1
git -C "$dir/linux" init -q -b main
git -C "$dir/linux" add -f -A .
git -C "$dir/linux" -c user.name=check -c user.email=check@localhost commit -q -m base
for p in "$series"/*.patch; do
	# The cover letter is a mail with no change to apply.
	[ "$(basename "$p")" != 0000-cover-letter.patch ] || continue
	echo "[series-check] git am $(basename "$p")"
	git -C "$dir/linux" -c user.name=check -c user.email=check@localhost am -q "$p" ||
		{ echo "[series-check] error: $(basename "$p") does not apply" >&2; exit 1; }
done
"$repo/driver/config.sh" "$dir/linux" "$dir/out" "$@"
echo "[series-check] building (log: $dir/build.log)"
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
# Same relative paths as build/linux: ccache hits.
CCACHE_BASEDIR=$dir CCACHE_NOHASHDIR=1 make -s -C "$dir/linux" O="$dir/out" ARCH=x86_64 CC="$cc" \
	-j"$(nproc)" bzImage >"$dir/build.log" 2>&1 ||
	{ grep -E 'error|Error' "$dir/build.log" | head -n 20 >&2
	  echo "[series-check] error: the series does not build" >&2; exit 1; }
echo "[series-check] $(ls "$series" | grep -vc '^0000-cover-letter') patches apply with git am and build"
