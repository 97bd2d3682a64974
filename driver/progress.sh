#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run a long build step with its output in a log, and say how it goes:
# every PROGRESS_SECS seconds (default 30) one line,
#   [LABEL] WHAT: N of ~M steps (P%), 2m30s elapsed, ~1m10s left
# where a step is a line of kbuild's own short output in the log ("  CC
# kernel/bpf/core.o", "  LD ...") and M the count of the last full run,
# kept in COUNTFILE.  An incremental run, or a first one, says what it has
# done so far without a total.  Nothing else is printed: the log keeps
# the detail.  Exits with the command's status.
#
# usage: progress.sh LABEL WHAT LOG COUNTFILE CMD...

set -u
label=$1 what=$2 log=$3 countfile=$4
shift 4
every=${PROGRESS_SECS:-30}

expected=0
[ -r "$countfile" ] && expected=$(cat "$countfile")

# grep -c prints 0 itself when nothing matches, and nothing without a log.
steps() {
	c=$(grep -cE '^  [A-Z][A-Z0-9_-]* +[^ ]' "$log" 2>/dev/null)
	echo "${c:-0}"
}

duration() {
	printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

"$@" >"$log" 2>&1 &
pid=$!
start=$(date +%s)
trap 'kill $pid 2>/dev/null' INT TERM

while :; do
	# Wake every second, report every $every: the command may end first.
	t=0
	while [ $t -lt "$every" ] && kill -0 $pid 2>/dev/null; do
		sleep 1
		t=$((t + 1))
	done
	kill -0 $pid 2>/dev/null || break
	n=$(steps)
	el=$(($(date +%s) - start))
	if [ "$expected" -gt 0 ] && [ "$n" -le "$expected" ] && [ "$n" -gt 0 ]; then
		left=$((el * (expected - n) / n))
		echo "[$label] $what: $n of ~$expected steps ($((100 * n / expected))%)," \
			"$(duration $el) elapsed, ~$(duration $left) left"
	else
		echo "[$label] $what: $n steps so far, $(duration $el) elapsed"
	fi
done
wait $pid
rc=$?
n=$(steps)
# Remember the size of a run that did most of the work: a full build.
if [ $rc = 0 ] && { [ "$expected" = 0 ] || [ $((n * 10)) -ge $((expected * 9)) ]; }; then
	echo "$n" >"$countfile"
fi
exit $rc
