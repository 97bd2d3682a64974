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
#   CAMELCASE  _Static_assert and BTF names that are not ours to rename;
#   AVOID_EXTERNS  "extern ... __ksym" is how a BPF program names a
#              kernel variable (a per-CPU one for bpf_this_cpu_ptr()).
# tcp_ca, a user-space tool, reads object files with libelf, whose type
# names (Elf, Elf_Scn, GElf_Shdr) CAMELCASE would have us rename.
#
# Each file is checked by its absolute path from a scratch directory: in a
# git work tree checkpatch takes "patches/NAME" for a path inside the
# patch and reports its blank context lines as trailing whitespace.
#
# A file that checked clean is remembered in CACHE (default: none) by the
# hash of its content, its options and checkpatch.pl itself, and is not
# checked again until one of them changes: checkpatch reads one file at a
# time, so its verdict on an unchanged file cannot change.
#
# usage: lint.sh REPO CHECKPATCH [CACHE]

set -u
repo=$(cd "$1" && pwd)
checkpatch=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
[ -x "$checkpatch" ] || { echo "[lint] error: $2 not found (make tree)" >&2; exit 1; }
cache=${3:-}
[ -z "$cache" ] || cache=$(cd "$(dirname "$cache")" && pwd)/$(basename "$cache")
tool=$(sha1sum <"$checkpatch" | cut -c1-40)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch" || exit 1

files=0 bad=0 errors=0 warnings=0 checks=0 cached=0
: >clean

# check_one PATH [checkpatch options...]
check_one() {
	local f=$1 out e w c key
	shift
	files=$((files + 1))
	key=$({ echo "$tool $*"; cat "$f"; } | sha1sum | cut -c1-40)
	if [ -n "$cache" ] && grep -qx "$key" "$cache" 2>/dev/null; then
		cached=$((cached + 1))
		echo "$key" >>clean
		return
	fi
	out=$("$checkpatch" --strict --no-tree --quiet --show-types "$@" "$f" 2>/dev/null)
	e=$(printf '%s\n' "$out" | grep -c '^ERROR:')
	w=$(printf '%s\n' "$out" | grep -c '^WARNING:')
	c=$(printf '%s\n' "$out" | grep -c '^CHECK:')
	errors=$((errors + e))
	warnings=$((warnings + w))
	checks=$((checks + c))
	if [ $((e + w + c)) -gt 0 ]; then
		bad=$((bad + 1))
		printf '%s\n' "$out" | grep -v '^total:\|^NOTE:\|^$' | sed 's/^/[lint]   /'
	else
		echo "$key" >>clean
	fi
}

sources=$(cd "$repo" && git ls-files -co --exclude-standard -- \
	kernel net include arch tools 2>/dev/null | grep -E '\.[ch]$')
for f in $sources; do
	case $f in
	*.bpf.c | *.bpf.h | */progs/*)
		check_one "$repo/$f" -f --ignore VOLATILE,CAMELCASE,AVOID_EXTERNS ;;
	tools/bpf/tcp_ca/tcp_ca_obj.c)
		check_one "$repo/$f" -f --ignore CAMELCASE ;;
	*)
		check_one "$repo/$f" -f ;;
	esac
done
for p in "$repo"/patches/*.patch; do
	[ -f "$p" ] && check_one "$p"
done

# The cache holds exactly the files clean now: a removed file's key goes.
[ -z "$cache" ] || cp clean "$cache"
echo "[lint] checkpatch --strict: $files files and patches ($cached unchanged since" \
	"checked clean), $bad with findings: $errors errors, $warnings warnings, $checks checks"
[ $((errors + warnings + checks)) -eq 0 ]
