#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: check-config.sh DOTCONFIG FRAGMENT...
#
# Fail when an option a fragment asks for did not make it into the final
# configuration (an unmet dependency silently drops it otherwise).
set -eu

config=$1
shift
bad=0
for frag in "$@"; do
	grep -E '^CONFIG_[A-Za-z0-9_]+=' "$frag" | while IFS='=' read -r opt val; do
		if [ "$val" = n ]; then
			grep -q "^$opt=" "$config" || continue
		else
			grep -qx "$opt=$val" "$config" && continue
		fi
		echo "error: $frag asks for $opt=$val, config has:" \
			"$(grep -E "^$opt=|^# $opt is not set" "$config" || echo unset)" >&2
		echo bad
	done
done | grep -q bad && bad=1
exit $bad
