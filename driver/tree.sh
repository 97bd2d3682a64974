#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Assemble build/linux: the pristine base tree as its first commit (tag
# "base"), then one commit per step of ours:
#   0. apply the patches named in patches/series above its "@overlay" line:
#      interfaces that our files use (uapi, struct fields, tcp helpers),
#   1. delete the base tree's versions of the files we own (OWNED; "-FILE":
#      a base file we remove without a replacement),
#   2. copy our overlay (kernel/ net/ include/ arch/ tools/ Documentation/),
#   3. apply the patches below "@overlay" (all of them, if it has none):
#      changes to base-tree files that call into our files.  One named
#      there as "+NAME" is applied in step 1's commit instead: a change
#      our files and the base tree need together (the Makefile lines that
#      build them).
# So every prefix of the series builds.
#
# The commits are built in a scratch index with git plumbing, never in the
# work tree, and the work tree is then moved from the old commit to the new
# one with a two-tree read-tree: only files whose content changed are
# rewritten, so an edit to one overlay file touches one file in the tree and
# the kernel rebuild stays incremental.
#
# usage: tree.sh REPO LINUX TARBALL REVFILE [OWNED...]
#   REVFILE is rewritten only when the tree's commit changes, so that make
#   rules depending on it run only when the tree really changed.

set -eu

repo=$(cd "$1" && pwd)
linux=$2
tarball=$3
revfile=$4
shift 4
owned="$*"

msg() { printf '[tree] %s\n' "$*"; }
die() { printf '[tree] error: %s\n' "$*" >&2; exit 1; }

# Fixed identity and dates: the same inputs give the same commit ids.
export GIT_AUTHOR_NAME="struct_ops for 6.1" GIT_AUTHOR_EMAIL="struct-ops@localhost"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_AUTHOR_DATE="2000-01-01T00:00:00+0000" GIT_COMMITTER_DATE="2000-01-01T00:00:00+0000"

extract_base() {
	[ -r "$tarball" ] || die "$tarball not found (make deps installs linux-source-6.1)"
	msg "extracting $(basename "$tarball") into $linux"
	rm -rf "$linux.tmp"
	mkdir -p "$linux.tmp"
	tar -xf "$tarball" -C "$linux.tmp" --strip-components=1
	msg "committing the pristine base tree (git add -f: its .gitignore ignores /*)"
	git -C "$linux.tmp" init -q -b main
	git -C "$linux.tmp" add -f -A .
	git -C "$linux.tmp" commit -q -m "Linux $(make -s -C "$linux.tmp" kernelversion) (Debian linux-source-6.1)"
	git -C "$linux.tmp" tag base
	rm -rf "$linux"
	mv "$linux.tmp" "$linux"
}

git -C "$linux" rev-parse -q --verify refs/tags/base >/dev/null 2>&1 || extract_base

overlay=$(cd "$repo" && git ls-files -co --exclude-standard -- \
	kernel net include arch tools Documentation 2>/dev/null) ||
	overlay=$(cd "$repo" && find kernel net include arch tools Documentation -type f 2>/dev/null)

# The inputs, hashed: this script, OWNED, the series and its patches, and
# each overlay file's name, mode and content.  When they are those the
# tree at REVFILE was made from, and the work tree is still there, there
# is nothing to do.
inputs_key() {
	{
		cat "$0"
		echo "$owned"
		cat "$repo/patches/series" "$repo"/patches/*.patch 2>/dev/null
		for f in $overlay; do
			[ -f "$repo/$f" ] || continue
			[ -x "$repo/$f" ] && echo "$f 755" || echo "$f 644"
			cat "$repo/$f"
		done
	} | sha1sum | cut -c1-40
}
key=$(inputs_key)
keyfile=$linux/.git/assembled-from
if [ -f "$revfile" ] && [ "$(cat "$keyfile" 2>/dev/null)" = "$key $(cat "$revfile")" ] &&
   [ "$(git -C "$linux" rev-parse HEAD)" = "$(cat "$revfile")" ]; then
	exit 0
fi

export GIT_DIR="$linux/.git"
export GIT_INDEX_FILE="$GIT_DIR/index.assemble.$$"
git read-tree base
parent=$(git rev-parse base)

# commit_step SUBJECT BODY: commit the scratch index on top of $parent,
# unless the step changed nothing.
commit_step() {
	tree=$(git write-tree)
	[ "$tree" = "$(git rev-parse "$parent^{tree}")" ] && return 0
	next_date
	parent=$(printf '%s\n\n%s\n' "$1" "$2" | git commit-tree "$tree" -p "$parent")
}

# One date scheme for the series: the Nth commit after base is dated
# SERIES_DATE plus N minutes, whatever its patch's Date says.
SERIES_DATE="2026-12-05 12:00:00 +0000"
commits=0
next_date() {
	commits=$((commits + 1))
	GIT_AUTHOR_DATE=$(date -u -d "$SERIES_DATE + $commits minutes" '+%Y-%m-%dT%H:%M:%S+0000')
	GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
}

# add_overlay PATTERN...: stage the overlay files matching a case PATTERN
# and take them off the list, so that each file is staged by one step.
add_overlay() {
	local f pat mode blob rest=
	for f in $overlay; do
		[ -f "$repo/$f" ] || continue
		for pat in "$@"; do
			# shellcheck disable=SC2254
			case $f in $pat) break ;; esac
			pat=
		done
		if [ -z "$pat" ]; then
			rest="$rest $f"
			continue
		fi
		mode=100644
		[ -x "$repo/$f" ] && mode=100755
		blob=$(git hash-object -w -- "$repo/$f")
		git update-index --add --cacheinfo "$mode,$blob,$f"
	done
	overlay=$rest
}

series="$repo/patches/series"
series_pre=
series_post=
series_with=
if [ -f "$series" ]; then
	if grep -qx '@overlay' "$series"; then
		series_pre=$(sed -e '/^@overlay$/,$d' -e 's/#.*//' "$series")
		series_post=$(sed -e '1,/^@overlay$/d' -e 's/#.*//' "$series")
		series_with=$(printf '%s\n' "$series_post" | sed -n 's/^+//p')
		series_post=$(printf '%s\n' "$series_post" | sed '/^+/d')
	else
		series_post=$(sed -e 's/#.*//' "$series")
	fi
fi

# index_patch NAME INFO: apply patches/NAME to the index; its mail's parts
# in the directory INFO.  A patch that does not apply stops the build.
index_patch() {
	local p=$1 info=$2
	[ -f "$repo/patches/$p" ] || die "patches/$p is named in patches/series but missing"
	msg "applying patches/$p"
	git mailinfo "$info/msg" "$info/patch" <"$repo/patches/$p" >"$info/head" ||
		die "patches/$p is not a git-format-patch mail"
	git apply --cached "$info/patch" 2>"$info/err" || {
		sed 's/^/[tree]   /' "$info/err" >&2
		rm -rf "$info"
		die "patches/$p does not apply"
	}
}

# apply_patch NAME: commit patches/NAME on top of $parent with its own
# subject, body and author.
apply_patch() {
	local p=$1 info tree subject
	info=$(mktemp -d)
	index_patch "$p" "$info"
	tree=$(git write-tree)
	next_date
	subject=$(sed -n 's/^Subject: //p' "$info/head")
	parent=$(printf '%s\n\n' "$subject" | cat - "$info/msg" |
		GIT_AUTHOR_NAME=$(sed -n 's/^Author: //p' "$info/head") \
		GIT_AUTHOR_EMAIL=$(sed -n 's/^Email: //p' "$info/head") \
		git commit-tree "$tree" -p "$parent")
	rm -rf "$info"
}

# Step 0: the interfaces our files build on.
for p in $series_pre; do
	apply_patch "$p"
done

# Step 1: our files replace the base tree's, in one commit, so that every
# prefix of the series builds.  A file we own but lack is an error, never
# a silent build of theirs.  "-FILE" is a base file we remove: nothing of
# ours uses it, and a file of that name here is an error too.
kept= listed=
for f in $owned; do
	case $f in
	-*)
		f=${f#-}
		[ ! -e "$repo/$f" ] || die "removed file $f is in this repo"
		listed="$listed
  $f (removed)" ;;
	*)
		[ -f "$repo/$f" ] || die "OWNED file $f is missing from this repo"
		kept="$kept $f"
		listed="$listed
  $f" ;;
	esac
	git cat-file -e "base:$f" 2>/dev/null || die "OWNED file $f is not in the base tree"
	git update-index --force-remove -- "$f"
done
add_overlay $kept 'kernel/*' 'net/*' 'include/*' 'arch/*'
for p in $series_with; do
	info=$(mktemp -d)
	index_patch "$p" "$info"
	listed="$listed
  $(sed -n 's/^Subject: //p' "$info/head") (patches/$p)"
	rm -rf "$info"
done
commit_step "bpf: Replace the struct_ops implementation with our own" \
"Our own writing of BPF struct_ops for 6.1, in place of the base tree's:
the ops-type registry and BPF_MAP_TYPE_STRUCT_OPS, tcp_congestion_ops and
bpf_dummy_ops, with the interface the rest of the tree expects.
$listed"

# Step 2: the rest of the overlay, one commit per area.
add_overlay 'Documentation/*'
commit_step "Documentation/bpf: Document struct_ops" \
"How struct_ops works in this tree and how to add a struct_ops type."
add_overlay 'tools/testing/selftests/*'
commit_step "selftests/bpf: Add the struct_ops tests" \
"Each rule of the struct_ops map and of tcp_congestion_ops with its exact
errno, and the lifetime of a BPF congestion control under sockets."
add_overlay 'tools/testing/vm/*'
commit_step "tools/testing/vm: Boot a kernel under QEMU and run one command" \
"The runner make check and make run use: host root over read-only 9p,
the command's exit status handed back, hangs and panics reported."
add_overlay '*'
commit_step "tools: Add tcp_ca and the rest of the struct_ops files" \
"Files of ours under the tree-mirroring directories that no step above
names."

# Step 3: the patches that use our files, in series order.
for p in $series_post; do
	apply_patch "$p"
done
rm -f "$GIT_INDEX_FILE"
unset GIT_INDEX_FILE

# Move the work tree from the old commit to the new one, rewriting only the
# files that differ between them.
old=$(git rev-parse HEAD)
if [ "$old" != "$parent" ]; then
	(cd "$linux" && git read-tree -m -u "$old" "$parent") ||
		die "$linux has local changes in files our series touches (make clean-tree)"
	git update-ref refs/heads/main "$parent"
	msg "$linux at $(git log -1 --format='%h %s' "$parent")"
fi
if [ ! -f "$revfile" ] || [ "$(cat "$revfile")" != "$parent" ]; then
	echo "$parent" >"$revfile"
fi
echo "$key $parent" >"$keyfile"
