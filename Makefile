# SPDX-License-Identifier: GPL-2.0
#
# Multikernel project driver: fetches the base kernel from Debian's
# linux-source package, applies patches/series and the new files, builds the
# kernel, mkctl and the selftests, and runs everything in QEMU.
#
#   make check    all tests; the last line is "N passed, N failed"
#   make check-sanitizers   the same on a KASAN and UBSAN kernel (slow)
#   make demo     boot the host VM and show the control plane at work
#   make vm-run SCRIPT=file [VM_FILES=dir] [VM_CPUS=4] [VM_MEM=2G]
#               [VM_POOL=1G] [VM_APPEND=...] [VM_TIMEOUT=900]
#   make vm-shell interactive shell in the host VM (quit: Ctrl-A X)
#   make bench    spawn boot time and stop/start cost, with baselines
#   make kernel mkctl selftests initramfs    the pieces

# The series is made for this exact base; moving the pin re-checks it.
KERNEL_VERSION := 6.12.117
DEBIAN_VERSION := 6.12.117-1~deb12u1
KERNEL_TARBALL := /usr/src/linux-source-6.12.tar.xz

PACKAGES := linux-source-6.12=$(DEBIAN_VERSION) build-essential bc bison \
	flex libelf-dev libssl-dev cpio qemu-system-x86 busybox-static \
	bash-static rsync xz-utils python3 kmod jq openssl sbsigntool \
	dwarves clang llvm zlib1g-dev bpftool

TOP	:= $(abspath .)
# SAN=1 (make check-sanitizers): a KASAN and UBSAN build of its own.
ifeq ($(SAN),1)
B	:= $(TOP)/build/san
else
B	:= $(TOP)/build
endif
KSRC	:= $(B)/linux
KOBJ	:= $(B)/obj
KST	:= $(B)/kselftest
BZIMAGE	:= $(KOBJ)/arch/x86/boot/bzImage
JOBS	?= $(shell nproc)

# New files, at their kernel paths, copied into the tree.
NEW_TREES := kernel/multikernel include/linux/multikernel.h \
	include/trace/events/multikernel.h \
	drivers/tty/hvc/hvc_multikernel.c \
	include/uapi/linux/multikernel.h \
	arch/x86/multikernel Documentation/multikernel \
	Documentation/ABI/testing/configfs-multikernel \
	Documentation/ABI/testing/sysfs-kernel-multikernel \
	tools/testing/selftests/multikernel
# A key for the tests only: the test kernel trusts its certificate, and
# the lockdown test starts the bzImage signed with it.  The fragment that
# names the certificate is generated, as Kconfig wants an absolute path.
SIGNING		:= $(B)/signing
TEST_KEY	:= $(SIGNING)/mk-test-signing.key
TEST_CERT	:= $(SIGNING)/mk-test-signing.crt
SIGNED_BZIMAGE	:= $(BZIMAGE).signed
SIGNING_CONFIG	:= $(patsubst $(TOP)/%,%,$(SIGNING))/signing.config
KCONFIG_FRAGMENTS := harness/kernel.config \
	tools/testing/selftests/multikernel/config \
	$(SIGNING_CONFIG) \
	$(if $(filter 1,$(SAN)),harness/sanitizers.config)
SELFTEST_TARGETS := multikernel cpu-hotplug

SCRIPT		?=
VM_FILES	?=
VM_CPUS		?= 4
VM_MEM		?= 2G
VM_POOL		?= 1G
VM_APPEND	?=
VM_TIMEOUT	?= 900
export VM_CPUS VM_MEM VM_POOL VM_APPEND VM_TIMEOUT

KMAKE = $(MAKE) -C $(KSRC) O=$(KOBJ) ARCH=x86_64 -j$(JOBS)

.PHONY: all deps tree kernel mkctl mkctl-test policies selftests initramfs \
	check check-sanitizers demo bench vm-run vm-shell clean distclean

all: kernel mkctl selftests initramfs

# Install what is missing; a no-op when everything is there.
deps:
	@missing=$$(for p in $(PACKAGES); do \
		n=$${p%%=*}; v=$${p#*=}; \
		have=$$(dpkg-query -W -f='$${Status} $${Version}' $$n 2>/dev/null); \
		case "$$have" in \
		"install ok installed "*) [ "$$n" = "$$p" ] || \
			[ "$${have##* }" = "$$v" ] || echo $$p;; \
		*) echo $$p;; esac; done); \
	if [ -n "$$missing" ]; then \
		echo "  APT     $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends \
			$$missing >/dev/null || exit 1; \
	fi

$(B)/.extracted: | deps
	@echo "  EXTRACT $(KERNEL_TARBALL)"
	@rm -rf $(KSRC) && mkdir -p $(KSRC)
	@tar -xJf $(KERNEL_TARBALL) -C $(KSRC) --strip-components=1
	@v=$$($(MAKE) -s -C $(KSRC) kernelversion); \
	if [ "$$v" != "$(KERNEL_VERSION)" ]; then \
		echo "error: base kernel is $$v, the series is made for $(KERNEL_VERSION)" >&2; \
		exit 1; \
	fi; echo "Linux $$v (Debian linux-source-6.12 $(DEBIAN_VERSION))" > $(KSRC)/.mk-base
	@touch $@

# Patches and new files; only changed files get a new timestamp, and a file
# removed from one of our directories goes from the tree too.
tree: $(B)/.extracted
	@harness/apply-series.sh $(KSRC) patches
	@rsync -rcR --no-times --delete $(wildcard $(NEW_TREES)) $(KSRC)/

$(TEST_CERT):
	@echo "  KEYGEN  $@"
	@mkdir -p $(SIGNING)
	@openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 36500 \
		-subj "/CN=multikernel test signing key/" \
		-keyout $(TEST_KEY) -out $@ 2>/dev/null

$(SIGNING_CONFIG): | $(TEST_CERT)
	@echo 'CONFIG_SYSTEM_TRUSTED_KEYS="$(TEST_CERT)"' > $@

# Regenerated when a fragment, a Kconfig file or a patch (which may add a
# symbol) changes, so that Kbuild never has to ask about a new symbol.
KCONFIG_INPUTS := $(KCONFIG_FRAGMENTS) patches/series \
	$(wildcard patches/*.patch) \
	$(shell find kernel/multikernel arch/x86/multikernel -name 'Kconfig*')

$(KOBJ)/.config: $(KCONFIG_INPUTS) | tree
	@echo "  CONFIG  tinyconfig + $(KCONFIG_FRAGMENTS)"
	@mkdir -p $(KOBJ)
	@$(KMAKE) -s tinyconfig >/dev/null
	@cd $(KSRC) && scripts/kconfig/merge_config.sh -m -O $(KOBJ) \
		$(KOBJ)/.config $(addprefix $(TOP)/,$(KCONFIG_FRAGMENTS)) >/dev/null
	@$(KMAKE) -s olddefconfig
	@harness/check-config.sh $(KOBJ)/.config $(KCONFIG_FRAGMENTS)

# Built with W=1; the full log is kept, and any warning in our files fails.
kernel: tree $(KOBJ)/.config
	@echo "  KBUILD  $(KOBJ) (log: $(B)/kernel-build.log)"
	@$(KMAKE) -s W=1 bzImage headers > $(B)/kernel-build.log 2>&1 || \
		{ tail -40 $(B)/kernel-build.log; exit 1; }
	@! grep -E '(multikernel|include/linux/multikernel).*(warning|error):' \
		$(B)/kernel-build.log
	@sbsign --key $(TEST_KEY) --cert $(TEST_CERT) --output $(SIGNED_BZIMAGE) \
		$(BZIMAGE) > $(B)/sbsign.log 2>&1 || { cat $(B)/sbsign.log; exit 1; }
	@echo "  KERNEL  $(BZIMAGE) (signed: $(SIGNED_BZIMAGE))"
	@harness/next-kernel.sh $(B) $(KMAKE) W=1

# The kernel tree's libbpf, static, with its headers: Debian's 1.1 has no
# link-based struct_ops, which mkctl policy and the BPF programs need.
LIBBPF_DIR := $(B)/libbpf
.PHONY: libbpf
libbpf: tree
	@mkdir -p $(LIBBPF_DIR)
	@$(MAKE) -s -C $(KSRC)/tools/lib/bpf OUTPUT=$(LIBBPF_DIR)/ \
		DESTDIR=$(LIBBPF_DIR) prefix= $(LIBBPF_DIR)/libbpf.a install_headers
	@echo "  LIBBPF  $(LIBBPF_DIR)"

mkctl: libbpf
	@$(MAKE) -s -C tools/mkctl LIBBPF_DIR=$(LIBBPF_DIR) KSRC=$(KSRC)

mkctl-test: libbpf
	@$(MAKE) -s -C tools/mkctl test LIBBPF_DIR=$(LIBBPF_DIR) KSRC=$(KSRC)

# BPF programs are built against the test kernel's BTF: vmlinux.h is
# remade from it after each kernel build, and replaced only if it changed.
BPF_DIR := $(B)/bpf
policies: kernel libbpf
	@mkdir -p $(BPF_DIR)
	@bpftool btf dump file $(KOBJ)/vmlinux format c > $(BPF_DIR)/vmlinux.h.new
	@cmp -s $(BPF_DIR)/vmlinux.h.new $(BPF_DIR)/vmlinux.h && \
		rm $(BPF_DIR)/vmlinux.h.new || \
		mv $(BPF_DIR)/vmlinux.h.new $(BPF_DIR)/vmlinux.h
	@$(MAKE) -s -C tools/mkctl/policies VMLINUX_DIR=$(BPF_DIR) \
		LIBBPF_INCLUDE=$(LIBBPF_DIR)/include OUTPUT=$(BPF_DIR)/policies
	@echo "  BPF     $(BPF_DIR)/policies"

selftests: kernel policies
	@rm -rf $(KST)
	@$(MAKE) -s -C $(KSRC)/tools/testing/selftests \
		TARGETS="$(SELFTEST_TARGETS)" O=$(B)/kselftest-build \
		KHDR_INCLUDES="-isystem $(KOBJ)/usr/include" \
		VMLINUX_DIR=$(BPF_DIR) LIBBPF_DIR=$(LIBBPF_DIR) \
		INSTALL_PATH=$(KST) install >/dev/null
	@echo "  KSFT    $(KST)"

initramfs: kernel mkctl selftests
	@harness/mkinitramfs.sh $(B)

vm-run: initramfs
	@test -n "$(SCRIPT)" || { echo "usage: make vm-run SCRIPT=file" >&2; exit 2; }
	@harness/vm-run.sh $(B) "$(SCRIPT)" "$(VM_FILES)"

vm-shell: initramfs
	@harness/vm-run.sh $(B) "" ""

# Each kselftest program may take 600 s (its settings file); a VM running
# eight of them gets much longer, so that a hang is the runner's timeout
# of one program, not the end of the whole VM.
CHECK_VM_TIMEOUT ?= 2400

check: initramfs
	@VM_TIMEOUT=$(CHECK_VM_TIMEOUT) harness/check.sh $(B)

# The VM suites of "make check" on a KASAN and UBSAN kernel (build/san);
# slow, so by hand, after every change to kernel code.
# The tests' waits and timeouts are four times longer there (mk_time_scale=4
# on the host's command line; MK_TIME_SCALE in the tests).
check-sanitizers:
	@$(MAKE) -s SAN=1 CHECK_VM_TIMEOUT=14400 \
		VM_APPEND="$(strip $(VM_APPEND) mk_time_scale=4)" check

demo: initramfs
	@harness/vm-run.sh $(B) harness/demo.sh ""

# The VM's output is kept in build/vm/last-run.log; only the figures show.
# A second VM boots with the pool backed by CMA.
bench: initramfs
	@harness/vm-run.sh $(B) harness/bench.sh "" > /dev/null; rc=$$?; \
		grep '^bench:' $(B)/vm/last-run.log; [ $$rc = 0 ] || exit $$rc; \
		VM_MEM=3G VM_POOL=cma:1G harness/vm-run.sh $(B) harness/bench.sh "" \
		> /dev/null; rc=$$?; grep '^bench:' $(B)/vm/last-run.log; exit $$rc

# --- Exported patch series and documentation (issue 5) ---------------------
#   make series        the series as git format-patch output in build/series/out
#   make series-quick  make series + git am + checkpatch of every patch, as TAP
#                      in build/series/quick.tap
#   make series-check  also builds after every patch, with and without MULTIKERNEL
#   make docs          Sphinx HTML of Documentation/multikernel, warnings fail

SERIES	:= $(B)/series
SERIES_BASE_DESC := Linux $(KERNEL_VERSION) (Debian linux-source-6.12 $(DEBIAN_VERSION))

.PHONY: series series-base series-quick series-check docs

# checkpatch's SPDX check needs ply and GitPython; the docs need Sphinx.
SERIES_PACKAGES := git python3-ply python3-git
DOCS_PACKAGES := python3-sphinx perl

series-base: | deps
	@$(MAKE) -s deps PACKAGES="$(SERIES_PACKAGES)"
	@harness/series-base.sh $(SERIES)/repo $(KERNEL_TARBALL) \
		$(KERNEL_VERSION) "$(SERIES_BASE_DESC)"

series: tree series-base
	@harness/series.sh $(SERIES) $(KSRC) $(NEW_TREES)

# Generation is the first test, so a broken manifest shows in the TAP file.
series-quick: tree series-base
	@harness/series-quick.sh $(SERIES) $(KSRC) $(NEW_TREES) \
		> $(SERIES)/quick.tap; rc=$$?; cat $(SERIES)/quick.tap; exit $$rc

# The per-patch builds are slow (two kernels per patch): run them by hand.
# A rerun keeps the results of the unchanged patches at the series' start.
series-check: series-quick
	@nice -n 10 harness/series-check.sh $(SERIES) $(JOBS) \
		$(addprefix $(TOP)/,$(KCONFIG_FRAGMENTS)) > $(SERIES)/check.tap; \
		rc=$$?; cat $(SERIES)/check.tap; exit $$rc

# HTML in build/docs/Documentation/output/multikernel; ABI files checked.
docs: tree
	@$(MAKE) -s deps PACKAGES="$(DOCS_PACKAGES)"
	@harness/docs.sh $(KSRC) $(B)/docs

clean:
	rm -rf $(KOBJ) $(B)/kselftest* $(B)/vm $(B)/*.cpio.gz
	$(MAKE) -s -C tools/mkctl clean

distclean:
	rm -rf $(B)
