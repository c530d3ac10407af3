/* SPDX-License-Identifier: GPL-2.0-only */
/* Multikernel x86: what the files of arch/x86/multikernel share. */
#ifndef _ARCH_X86_MULTIKERNEL_SPAWN_H
#define _ARCH_X86_MULTIKERNEL_SPAWN_H

#include <linux/init.h>
#include <linux/irqflags.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <uapi/linux/multikernel.h>

void __init mk_spawn_console_early(u64 comm_phys, u64 comm_size);
void mk_spawn_set_state(enum multikernel_spawn_state state);
void mk_spawn_panic(const char *msg);
struct multikernel_comm *mk_spawn_comm(void);

/*
 * Stop this CPU for good: only the host's INIT brings it out of here.
 * Inline, so that objtool sees it never returns.
 */
static inline void __noreturn mk_spawn_park(void)
{
	for (;;) {
		local_irq_disable();
		native_halt();
	}
}

/* An instance's slice of conventional memory (low_slice.c). */
#define MK_LOW_SLICE	SZ_32K

/* wake_tramp.S: copied into an instance's slice, never run in place. */
extern const u8 mk_tramp[], mk_tramp_pm32[], mk_tramp_lm64[], mk_tramp_end[];

#endif /* _ARCH_X86_MULTIKERNEL_SPAWN_H */
