#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make lint: the base tree's checkpatch.pl --strict on every C source and
# header of ours (kernel, tools, tests) and on every patch in patches/.
# Fails on any error or warning; CHECKs are counted and shown, and fail
# too, so that they are fixed or their type is named below with a reason.
#
# Programs compiled for BPF (*.bpf.c, *.bpf.h, selftests progs/) follow
# libbpf's conventions, which checkpatch reads as kernel code:
#   VOLATILE   "const volatile" is how libbpf places tunables in .rodata;
#   CAMELCASE  _Static_assert and BTF names that are not ours to rename.
#
# Each file is checked by its absolute path from a scratch directory: in a
# git work tree checkpatch takes "patches/NAME" for a path inside the
# patch and reports its blank context lines as trailing whitespace.
#
# usage: lint.sh REPO CHECKPATCH

set -u
repo=$(cd "$1" && pwd)
checkpatch=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
[ -x "$checkpatch" ] || { echo "[lint] error: $2 not found (make tree)" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch" || exit 1

files=0 bad=0 errors=0 warnings=0 checks=0

# check_one PATH [checkpatch options...]
check_one() {
	local f=$1 out e w c
	shift
	out=$("$checkpatch" --strict --no-tree --quiet --show-types "$@" "$f" 2>/dev/null)
	files=$((files + 1))
	e=$(printf '%s\n' "$out" | grep -c '^ERROR:')
	w=$(printf '%s\n' "$out" | grep -c '^WARNING:')
	c=$(printf '%s\n' "$out" | grep -c '^CHECK:')
	errors=$((errors + e))
	warnings=$((warnings + w))
	checks=$((checks + c))
	if [ $((e + w + c)) -gt 0 ]; then
		bad=$((bad + 1))
		printf '%s\n' "$out" | grep -v '^total:\|^NOTE:\|^$' | sed 's/^/[lint]   /'
	fi
}

sources=$(cd "$repo" && git ls-files -co --exclude-standard -- \
	kernel net include arch tools 2>/dev/null | grep -E '\.[ch]$')
for f in $sources; do
	case $f in
	*.bpf.c | *.bpf.h | */progs/*)
		check_one "$repo/$f" -f --ignore VOLATILE,CAMELCASE ;;
	*)
		check_one "$repo/$f" -f ;;
	esac
done
for p in "$repo"/patches/*.patch; do
	[ -f "$p" ] && check_one "$p"
done

echo "[lint] checkpatch --strict: $files files and patches, $bad with findings:" \
	"$errors errors, $warnings warnings, $checks checks"
[ $((errors + warnings + checks)) -eq 0 ]
