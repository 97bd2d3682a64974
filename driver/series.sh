#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make series: build/linux's base..main as a numbered series with a cover
# letter whose subject and text are patches/cover-letter's (first line,
# the rest); git format-patch adds the shortlog and the diffstat.
#
# usage: series.sh LINUX OUT COVER

set -eu
linux=$1 out=$2 cover=$3

# The cover letter as from the series' author, dated as its last patch.
export GIT_AUTHOR_NAME="struct_ops for 6.1" GIT_AUTHOR_EMAIL="struct-ops@localhost"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
GIT_COMMITTER_DATE=$(git -C "$linux" log -1 --format=%aD main)
export GIT_COMMITTER_DATE GIT_AUTHOR_DATE="$GIT_COMMITTER_DATE"

rm -rf "$out"
git -C "$linux" format-patch -q --no-signature --numbered --cover-letter \
	-o "$out" base..main
subject=$(head -n 1 "$cover")
awk -v subject="$subject" -v cover="$cover" '
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
	/^\*\*\* BLURB HERE \*\*\*$/ {
		while ((getline line < cover) > 0)
			if (n++ > 1) print line
		next
	}
	{ print }' "$out/0000-cover-letter.patch" >"$out/cover.tmp"
mv "$out/cover.tmp" "$out/0000-cover-letter.patch"
ls "$out" | sed 's/^/[series]   /'
