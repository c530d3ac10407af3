/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel: run independent kernels on CPUs and memory lent by this one.
 *
 * This header holds the hooks the rest of the kernel calls; the subsystem's
 * own interfaces live in kernel/multikernel/internal.h.
 */
#ifndef _LINUX_MULTIKERNEL_H
#define _LINUX_MULTIKERNEL_H

#ifdef CONFIG_MULTIKERNEL
void __init multikernel_pool_reserve(void);
#else
static inline void multikernel_pool_reserve(void) { }
#endif

#endif /* _LINUX_MULTIKERNEL_H */
