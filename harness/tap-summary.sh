#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: tap-summary.sh [--tap FILE] [--kunit VMLOG] [--kselftest VMLOG]...
#
# Counts test results and prints one line per source, then the closing line
# "N passed, N failed, N skipped".  Exits 1 when a test failed or none ran.
#   --tap FILE        plain TAP: every top-level "ok"/"not ok" line
#   --kunit VMLOG     KUnit test cases printed at boot, before the script
#   --kselftest VMLOG run_kselftest.sh output: the cases each program
#                     reports ("# ok N ..."), or the program's own result
#                     when it reports none; a program that failed without
#                     a failing case counts as one more failure
set -eu

count_tap() {
	awk '/^(not )?ok [0-9]+/ {
		if ($0 ~ /# [Ss][Kk][Ii][Pp]/) s++
		else if ($1 == "not") f++
		else p++
	}
	END { printf "%d %d %d\n", p, f, s }' "$1"
}

count_kunit() {
	awk '/^mk-vm: running script/ { exit }
	/^    (not )?ok [0-9]+ / {
		if ($0 ~ /# SKIP/) s++
		else if ($1 == "not") f++
		else p++
	}
	END { printf "%d %d %d\n", p, f, s }' "$1"
}

count_kselftest() {
	awk '/^mk-vm: running script/ { on = 1; next }
	/^mk-vm: kernel log follows/ { on = 0 }
	!on { next }
	/^# (not )?ok [0-9]+/ {
		n++
		if ($0 ~ /# [Ss][Kk][Ii][Pp]/) ns++
		else if ($2 == "not") nf++
		else np++
		next
	}
	/^(not )?ok [0-9]+ selftests: / {
		skip = $0 ~ /# [Ss][Kk][Ii][Pp]/
		bad = $1 == "not"
		if (n) {
			p += np; f += nf; s += ns
			if (bad && !skip && !nf) f++
		} else if (skip) s++
		else if (bad) f++
		else p++
		n = np = nf = ns = 0
	}
	END { printf "%d %d %d\n", p, f, s }' "$1"
}

tp=0 tf=0 ts=0
while [ $# -ge 2 ]; do
	case $1 in
	--tap) counts=$(count_tap "$2") ;;
	--kunit) counts=$(count_kunit "$2") ;;
	--kselftest) counts=$(count_kselftest "$2") ;;
	*) echo "tap-summary: unknown source $1" >&2; exit 2 ;;
	esac
	read -r p f s <<-EOT
	$counts
	EOT
	echo "  $1 $(basename "$2"): $p passed, $f failed, $s skipped"
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
	shift 2
done
echo "$tp passed, $tf failed, $ts skipped"
[ "$tf" -eq 0 ] && [ "$tp" -gt 0 ]
