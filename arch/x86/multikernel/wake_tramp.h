/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel x86: layout of the wake-up trampoline (wake_tramp.S), which
 * the host copies into an instance's conventional-memory slice.  Offsets
 * are from the start of the slice; C and assembly share them.
 */
#ifndef _ARCH_X86_MULTIKERNEL_WAKE_TRAMP_H
#define _ARCH_X86_MULTIKERNEL_WAKE_TRAMP_H

/* The parameter block the host fills in, after the code. */
#define MK_TP			0x200
#define MK_TP_GDT_DESC		(MK_TP + 0x00)	/* u16 limit, u32 base */
#define MK_TP_PM32		(MK_TP + 0x08)	/* u32 offset, u16 selector */
#define MK_TP_LM64		(MK_TP + 0x10)	/* u32 offset, u16 selector */
#define MK_TP_CR3_32		(MK_TP + 0x18)	/* u32: table below 4 GiB */
#define MK_TP_CR3		(MK_TP + 0x20)	/* u64: the table to enter on */
#define MK_TP_ENTRY		(MK_TP + 0x28)	/* u64: 64-bit kernel entry */
#define MK_TP_BOOT_PARAMS	(MK_TP + 0x30)	/* u64: its boot_params */
#define MK_TP_ARRIVED		(MK_TP + 0x38)	/* u32: set by the CPU */
#define MK_TP_GDT		(MK_TP + 0x40)	/* four descriptors */
#define MK_TP_END		(MK_TP_GDT + 0x20)

/* Selectors of that GDT: 0x10 and 0x18 are what the boot protocol asks. */
#define MK_TP_CS32		0x08
#define MK_TP_CS64		0x10
#define MK_TP_DS		0x18

/* Page-table pages for the switch to long mode, after the block. */
#define MK_TP_PGT		0x1000
#define MK_TP_PGT_PAGES		4

#endif /* _ARCH_X86_MULTIKERNEL_WAKE_TRAMP_H */
