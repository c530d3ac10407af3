#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the multikernel documentation the way the kernel does, and fail on
# any warning about our pages.
#
# Usage: docs.sh KERNEL_TREE OUT_DIR
#
# 1. make htmldocs SPHINXDIRS=multikernel: Documentation/multikernel/ as
#    HTML in OUT_DIR/Documentation/output/multikernel.
# 2. scripts/get_abi.pl validate on our Documentation/ABI files.
# 3. The ABI files rendered by the kernel's kernel-abi Sphinx directive
#    with :rst:, as admin-guide/abi-testing.rst renders them, in a small
#    Sphinx project of their own (building the whole admin-guide for two
#    files takes far longer).
set -u

ktree=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
abi="ABI/testing/configfs-multikernel ABI/testing/sysfs-kernel-multikernel"
ours='Documentation/(multikernel/|ABI/testing/(configfs|sysfs-kernel)-multikernel)'
fail=0

# The netlink spec pages would be generated inside the kernel tree;
# they are not ours, so YNL_INDEX is emptied.
echo "  HTML    $out/Documentation/output/multikernel"
make -C "$ktree" O="$out" ARCH=x86_64 SPHINXDIRS=multikernel YNL_INDEX= \
	htmldocs > "$out/htmldocs.log" 2>&1 || {
	tail -20 "$out/htmldocs.log"
	echo "docs: htmldocs failed (log: $out/htmldocs.log)" >&2
	fail=1
}
if grep -E "$ours.*(WARNING|ERROR|SEVERE)" "$out/htmldocs.log"; then
	echo "docs: warnings in our pages (log: $out/htmldocs.log)" >&2
	fail=1
fi

# get_abi.pl reads whole directories: a tree holding only our ABI files.
src=$out/abi-src
rm -rf "$src"
mkdir -p "$src/Documentation/ABI/testing"
ln -s "$ktree/scripts" "$src/scripts"
for f in $abi; do
	cp "$ktree/Documentation/$f" "$src/Documentation/$f"
done

echo "  ABI     validate"
perl "$src/scripts/get_abi.pl" validate --dir "$src/Documentation/ABI" \
	> "$out/abi-validate.log" 2>&1
if [ -s "$out/abi-validate.log" ]; then
	cat "$out/abi-validate.log"
	echo "docs: get_abi.pl validate found problems" >&2
	fail=1
fi

echo "  ABI     kernel-abi :rst:"
proj=$out/abi-rst
rm -rf "$proj"
mkdir -p "$proj"
cat > "$proj/conf.py" <<CONF
import sys
sys.path.insert(0, '$ktree/Documentation/sphinx')
extensions = ['kernel_abi']
project = 'multikernel ABI'
CONF
{
	echo "Multikernel ABI"
	echo "==============="
	printf '\n.. kernel-abi:: ABI\n   :rst:\n'
} > "$proj/index.rst"
srctree=$src sphinx-build -q -b html "$proj" "$proj/html" \
	> "$out/abi-rst.log" 2>&1 || fail=1
if [ -s "$out/abi-rst.log" ]; then
	cat "$out/abi-rst.log"
	echo "docs: the ABI files do not render cleanly" >&2
	fail=1
fi
[ $fail = 0 ] && echo "  DOCS    clean: $out/Documentation/output/multikernel/index.html"
exit $fail
