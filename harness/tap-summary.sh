#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: tap-summary.sh [--skips FILE] [--tap FILE] [--kunit VMLOG]
#                       [--kselftest VMLOG]...
#
# Counts test results and prints one line per source, then the closing line
# "N passed, N failed".  Exits 1 when a test failed or a source ran none.
# It counts what should have run, not only what it sees:
#   - a TAP plan ("1..N") that is missing or not met counts the missing
#     results as failures, and a source with no results at all fails;
#   - a SKIP fails unless its test is named in the --skips file, which
#     says why it may skip (a missing kernel feature, never a leaked CPU);
#   - a suite or program that failed without a failing case counts as one
#     more failure.
# Sources:
#   --tap FILE        plain TAP: every top-level "ok"/"not ok" line
#   --kunit VMLOG     KUnit suites and cases printed at boot, before the
#                     VM's script
#   --kselftest VMLOG run_kselftest.sh output: the cases each program
#                     reports ("# ok N ..."), or the program's own result
#                     when it reports none
# Each reason for a failure is printed on a line of its own ("  not ok:").
set -eu

skips=/dev/null

# Shared by the three counters: how one result line counts, and how a plan
# counts against what was reported.  "name" is the test's description.
AWK_LIB='
function allowed(name,    line, n) {
	if (!loaded) {
		while ((getline line < skips) > 0) {
			sub(/[ \t]*#.*/, "", line)
			n = split(line, w, /[ \t]+/)
			if (n && w[1] != "")
				ok_skip[w[1]] = 1
		}
		loaded = 1
	}
	return name in ok_skip
}
function describe(line, lead,    d) {
	d = line
	sub("^" lead "(not )?ok [0-9]+ (- )?", "", d)
	sub(/ +#.*/, "", d)
	return d
}
# Returns "p", "f" or "s" for a result line after the lead-in.
function verdict(line, lead,    d) {
	d = describe(line, lead)
	if (line ~ /# [Ss][Kk][Ii][Pp]/) {
		if (allowed(d))
			return "s"
		print "  not ok: " src ": " d " skipped and is not in the skip list" > "/dev/stderr"
		return "f"
	}
	if (line ~ "^" lead "not ok")
		return "f"
	return "p"
}
function plan_short(what, plan, got) {
	if (plan < 0) {
		print "  not ok: " src ": " what " printed no plan" > "/dev/stderr"
		return 1
	}
	if (got != plan) {
		print "  not ok: " src ": " what " planned " plan ", reported " got > "/dev/stderr"
		return got < plan ? plan - got : 1
	}
	return 0
}'

count_tap() {
	awk -v src="$(basename "$1")" -v skips="$skips" "$AWK_LIB"'
	{ sub(/\r$/, "") }
	BEGIN { plan = -1 }
	/^1\.\.[0-9]+/ && plan < 0 { plan = substr($1, 4) + 0 }
	/^(not )?ok [0-9]+/ { n++; c[verdict($0, "")]++ }
	END {
		c["f"] += plan_short("the file", plan, n)
		printf "%d %d %d\n", c["p"], c["f"], c["s"]
	}' "$1"
}

count_kunit() {
	awk -v src="$(basename "$1")" -v skips="$skips" "$AWK_LIB"'
	{ sub(/\r$/, "") }
	BEGIN { plan = sub_plan = -1 }
	/^mk-vm: running script/ { exit }
	/^1\.\.[0-9]+/ && plan < 0 { plan = substr($1, 4) + 0 }
	/^    1\.\.[0-9]+/ { sub_plan = substr($1, 4) + 0; cases = bad = 0 }
	/^    (not )?ok [0-9]+ / {
		v = verdict($0, "    "); c[v]++; cases++
		if (v == "f") bad++
	}
	/^(not )?ok [0-9]+ / {
		suites++
		name = describe($0, "")
		c["f"] += plan_short("suite " name, sub_plan, cases)
		if ($1 == "not" && !bad) {
			print "  not ok: " src ": suite " name " failed" > "/dev/stderr"
			c["f"]++
		}
		sub_plan = -1; cases = bad = 0
	}
	END {
		c["f"] += plan_short("KUnit", plan, suites)
		printf "%d %d %d\n", c["p"], c["f"], c["s"]
	}' "$1"
}

count_kselftest() {
	awk -v src="$(basename "$1")" -v skips="$skips" "$AWK_LIB"'
	{ sub(/\r$/, "") }
	function runner_done() {
		if (on_runner)
			c["f"] += plan_short("run_kselftest.sh", plan, progs)
		plan = -1; progs = 0; on_runner = 0
	}
	BEGIN { plan = sub_plan = -1 }
	/^mk-vm: running script/ { on = 1; next }
	/^mk-vm: kernel log follows/ { on = 0 }
	!on { next }
	/^TAP version/ { runner_done(); on_runner = 1; next }
	/^1\.\.[0-9]+/ && plan < 0 { plan = substr($1, 4) + 0; next }
	/^# 1\.\.[0-9]+/ && sub_plan < 0 { sub_plan = substr($2, 4) + 0; next }
	/^# (not )?ok [0-9]+/ {
		n++
		v = verdict($0, "# ")
		sc[v]++
		next
	}
	/^(not )?ok [0-9]+ selftests: / {
		progs++
		name = describe($0, "")
		if (n) {
			c["p"] += sc["p"]; c["f"] += sc["f"]; c["s"] += sc["s"]
			c["f"] += plan_short(name, sub_plan, n)
			if ($1 == "not" && $0 !~ /# [Ss][Kk][Ii][Pp]/ && !sc["f"]) {
				print "  not ok: " src ": " name " failed" > "/dev/stderr"
				c["f"]++
			}
		} else {
			c[verdict($0, "")]++
		}
		n = 0; sub_plan = -1; delete sc
	}
	END {
		runner_done()
		printf "%d %d %d\n", c["p"], c["f"], c["s"]
	}' "$1"
}

tp=0 tf=0 ts=0
while [ $# -ge 2 ]; do
	case $1 in
	--skips) skips=$2; shift 2; continue ;;
	--tap) counts=$(count_tap "$2") ;;
	--kunit) counts=$(count_kunit "$2") ;;
	--kselftest) counts=$(count_kselftest "$2") ;;
	*) echo "tap-summary: unknown source $1" >&2; exit 2 ;;
	esac
	read -r p f s <<-EOT
	$counts
	EOT
	if [ $((p + f + s)) -eq 0 ]; then
		echo "  not ok: $(basename "$2"): no results" >&2
		f=1
	fi
	echo "  $1 $(basename "$2"): $p passed, $f failed, $s skipped"
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
	shift 2
done
[ "$ts" -eq 0 ] || echo "$ts skipped, each allowed by $skips"
echo "$tp passed, $tf failed"
[ "$tf" -eq 0 ] && [ "$tp" -gt 0 ]
