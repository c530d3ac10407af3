/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a multikernel policy includes: the kernel's types (vmlinux.h, made
 * from the BTF of the kernel the policy runs on), libbpf's helpers, the
 * read-only kfuncs and the few constants BTF does not carry.
 */
#ifndef MULTIKERNEL_POLICY_H
#define MULTIKERNEL_POLICY_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* Errnos a policy may return; BTF has no macros. */
#define EACCES		13
#define ERANGE		34
#define EDQUOT		122

/* Read-only lookups of any instance by id (kernel/multikernel/policy_kfuncs.c). */
extern int bpf_multikernel_state(s32 id) __ksym;
extern s64 bpf_multikernel_memory(s32 id) __ksym;
extern s32 bpf_multikernel_nr_cpus(s32 id) __ksym;
extern s32 bpf_multikernel_has_cpu(s32 id, u32 cpu) __ksym;

#endif /* MULTIKERNEL_POLICY_H */
