// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel boot record: which records and which images speak the boot
 * contract of this kernel.
 *
 * Both sides of the contract are checked here, with no side effects, so
 * that KUnit can run every case: the spawn checks the SETUP_MULTIKERNEL
 * record it was booted with, the host checks the "MKSP" chunk of an image
 * before it lends anything to it.  The rule they apply is in
 * include/uapi/linux/multikernel.h: records only grow at the end, a
 * reader accepts every version from the oldest it supports up and ignores
 * what it does not know.
 *
 * Runs very early in a spawn (from hypervisor detection), so it uses no
 * allocation, no locking and no printk; the caller reports @why.
 */

#include <linux/bug.h>
#include <linux/log2.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/minmax.h>
#include <linux/multikernel.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/unaligned.h>

static_assert(offsetofend(struct multikernel_boot_info, apic_ids) ==
	      MULTIKERNEL_BOOT_SIZE_V1);
static_assert(offsetofend(struct multikernel_boot_info, reserved) ==
	      MULTIKERNEL_BOOT_SIZE_V2);
static_assert(sizeof(struct multikernel_boot_info) == MULTIKERNEL_BOOT_SIZE_V3);
static_assert(offsetofend(struct multikernel_boot_info, comm_size) <=
	      MULTIKERNEL_BOOT_SIZE_MIN);

/* Bytes of the fields that exist in @version, as far as this kernel knows. */
static u32 mk_boot_size_of(u32 version)
{
	/* A version newer than ours has at least our fields. */
	switch (version) {
	case 1:
		return MULTIKERNEL_BOOT_SIZE_V1;
	case 2:
		return MULTIKERNEL_BOOT_SIZE_V2;
	default:
		return MULTIKERNEL_BOOT_SIZE_V3;
	}
}

static bool mk_ranges_meet(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * The preserved regions: at most MULTIKERNEL_MAX_PRESERVED, each named,
 * page aligned, not wrapping, disjoint from the others and from the
 * communication region, no name twice.
 */
static int mk_boot_check_preserved(const struct multikernel_boot_info *bi,
				   const char **why)
{
	const struct multikernel_preserved *r, *o;
	u32 i, j;

	if (bi->nr_preserved > MULTIKERNEL_MAX_PRESERVED) {
		*why = "preserved region count out of range";
		return -ERANGE;
	}
	for (i = 0; i < bi->nr_preserved; i++) {
		r = &bi->preserved[i];
		if (!r->name[0] || !memchr(r->name, '\0', sizeof(r->name)) ||
		    !r->size || !PAGE_ALIGNED(r->phys) ||
		    !PAGE_ALIGNED(r->size) || r->phys + r->size < r->phys) {
			*why = "preserved region unnamed, misaligned or wrapping";
			return -ERANGE;
		}
		if (mk_ranges_meet(r->phys, r->size, bi->comm_phys,
				   bi->comm_size)) {
			*why = "preserved region overlaps the communication region";
			return -ERANGE;
		}
		for (j = 0; j < i; j++) {
			o = &bi->preserved[j];
			if (!strcmp(o->name, r->name) ||
			    mk_ranges_meet(r->phys, r->size, o->phys, o->size)) {
				*why = "preserved regions share a name or memory";
				return -ERANGE;
			}
		}
	}
	return 0;
}

/* The CPU lists: counts in range, no APIC ID twice, none the host's. */
static int mk_boot_check_cpus(const struct multikernel_boot_info *bi,
			      const char **why)
{
	u32 i, j, n = bi->nr_cpus + bi->nr_spare_cpus;

	if (!bi->nr_cpus || bi->nr_cpus > MULTIKERNEL_MAX_CPUS) {
		*why = "CPU count out of range";
		return -ERANGE;
	}
	if (bi->nr_spare_cpus > MULTIKERNEL_MAX_CPUS - bi->nr_cpus) {
		*why = "spare CPU count out of range";
		return -ERANGE;
	}
	for (i = 0; i < n; i++) {
		u32 id = i < bi->nr_cpus ? bi->apic_ids[i] :
			 bi->spare_apic_ids[i - bi->nr_cpus];

		if (id == bi->host_bsp_apic_id) {
			*why = "the host's boot CPU is listed as an instance CPU";
			return -ERANGE;
		}
		for (j = i + 1; j < n; j++) {
			if (id == (j < bi->nr_cpus ? bi->apic_ids[j] :
				   bi->spare_apic_ids[j - bi->nr_cpus])) {
				*why = "a CPU is listed twice";
				return -ERANGE;
			}
		}
	}
	return 0;
}

/**
 * multikernel_boot_record_comm() - where a record puts the communication region
 * @rec: the record; readable for min(@len, sizeof(struct multikernel_boot_info))
 *	bytes
 * @len: bytes of the setup_data entry holding it
 * @phys: set to the region's physical address
 * @size: set to its size
 *
 * Looks only at @comm_phys and @comm_size, whose offsets every version
 * keeps, so that a spawn can report on a record it cannot otherwise use.
 *
 * Return: 0 if the record reaches both fields and they describe a page
 * aligned region of at least MULTIKERNEL_COMM_MIN_SIZE bytes that does not
 * wrap; -EMSGSIZE if it is too short to hold them; -ERANGE otherwise.
 */
int multikernel_boot_record_comm(const void *rec, u32 len, u64 *phys,
				 u64 *size)
{
	const struct multikernel_boot_info *bi = rec;

	if (len < offsetofend(struct multikernel_boot_info, comm_size))
		return -EMSGSIZE;
	*phys = get_unaligned(&bi->comm_phys);
	*size = get_unaligned(&bi->comm_size);
	if (!*phys || !PAGE_ALIGNED(*phys) || !PAGE_ALIGNED(*size) ||
	    *size < MULTIKERNEL_COMM_MIN_SIZE || *phys + *size < *phys)
		return -ERANGE;
	return 0;
}

/* Values a spawn cannot run with; @bi is this kernel's copy. */
static int mk_boot_check_values(const struct multikernel_boot_info *bi,
				const char **why)
{
	if (!bi->id || bi->id > MULTIKERNEL_MAX_ID) {
		*why = "instance id out of range";
		return -ERANGE;
	}
	if (!bi->name[0] || !memchr(bi->name, '\0', sizeof(bi->name))) {
		*why = "instance name empty or not terminated";
		return -ERANGE;
	}
	if (bi->mem_block_size && !is_power_of_2(bi->mem_block_size)) {
		*why = "memory block size not a power of two";
		return -ERANGE;
	}
	return mk_boot_check_cpus(bi, why) ?: mk_boot_check_preserved(bi, why);
}

/**
 * multikernel_boot_record_check() - parse and check a SETUP_MULTIKERNEL record
 * @rec: the record; readable for min(@len, sizeof(*@out)) bytes
 * @len: bytes of the setup_data entry holding it (setup_data.len)
 * @out: set to the record as this kernel knows it: the fields of the
 *	record's version, fields it does not have zero, any tail ignored
 * @why: on error, set to a static string naming the reason
 *
 * A record is accepted whatever its version from
 * MULTIKERNEL_BOOT_VERSION_MIN up, newer ones included, as long as its
 * @size covers the fields that version implies and the entry holds @size
 * bytes.  @out is written even on error, as far as the record reaches.
 *
 * Return: 0; -EMSGSIZE if @len is below MULTIKERNEL_BOOT_SIZE_MIN, @size
 * below what the version implies or @len below @size; -EPROTONOSUPPORT
 * for a version older than MULTIKERNEL_BOOT_VERSION_MIN; -ERANGE for a
 * value a spawn cannot run with (instance id, name, CPU counts, a CPU
 * listed twice, the host's boot CPU among the instance's, memory block
 * size, communication region, preserved regions).
 */
int multikernel_boot_record_check(const void *rec, u32 len,
				  struct multikernel_boot_info *out,
				  const char **why)
{
	u32 version, size, known;
	u64 phys, csize;
	int ret;

	memset(out, 0, sizeof(*out));
	memcpy(out, rec, min_t(u32, len, sizeof(*out)));
	if (len < MULTIKERNEL_BOOT_SIZE_MIN) {
		*why = "record shorter than the oldest version";
		return -EMSGSIZE;
	}
	version = out->version;
	size = out->size;
	if (version < MULTIKERNEL_BOOT_VERSION_MIN) {
		*why = "version older than the oldest this kernel reads";
		return -EPROTONOSUPPORT;
	}
	known = mk_boot_size_of(version);
	if (size < known) {
		*why = "record size below what its version implies";
		return -EMSGSIZE;
	}
	if (len < size) {
		*why = "setup_data entry shorter than the record";
		return -EMSGSIZE;
	}
	/* Fields past what the version has read as zero; the tail is ignored. */
	if (known < sizeof(*out))
		memset((char *)out + known, 0, sizeof(*out) - known);

	ret = multikernel_boot_record_comm(out, known, &phys, &csize);
	if (ret) {
		*why = "communication region misaligned or too small";
		return ret;
	}
	return mk_boot_check_values(out, why);
}

/**
 * multikernel_spawn_chunk_check() - does an image speak this host's contract
 * @chunk: the "MKSP" chunk of the image's kernel_info, from its magic on
 * @len: the chunk's length field, checked by the caller to lie in the image
 * @host_version: the record version this host writes
 * @version: set to the contract version the image speaks, 0 if none
 * @version_min: set to the oldest record version it accepts, 0 if none
 * @why: on error, set to a static string naming the reason
 *
 * The chunk is the magic, its length, a version and, from 16 bytes on, the
 * oldest record version the image accepts; it accepts every newer one.  A
 * 12-byte chunk has only the version, and its image reads only records of
 * exactly that version.  Longer chunks carry fields a newer image adds;
 * they are ignored.
 *
 * Return: 0 if the host may start the image; -ENOEXEC otherwise.
 */
int multikernel_spawn_chunk_check(const void *chunk, u32 len,
				  u32 host_version, u32 *version,
				  u32 *version_min, const char **why)
{
	const struct multikernel_spawn_chunk *f = chunk + 8;
	bool exact = len < MULTIKERNEL_SPAWN_CHUNK_LEN;

	*version = 0;
	*version_min = 0;
	if (len < 8 + sizeof(f->version)) {
		*why = "MKSP chunk without a version";
		return -ENOEXEC;
	}
	*version = get_unaligned(&f->version);
	*version_min = exact ? *version : get_unaligned(&f->version_min);
	if (!*version_min || *version_min > *version) {
		*why = "MKSP chunk with inconsistent versions";
		return -ENOEXEC;
	}
	if (*version < MULTIKERNEL_BOOT_VERSION_MIN) {
		*why = "image speaks a contract older than this host supports";
		return -ENOEXEC;
	}
	if (host_version < *version_min) {
		*why = "image needs a newer boot record than this host writes";
		return -ENOEXEC;
	}
	if (exact && host_version != *version) {
		*why = "image reads only boot records of its own version";
		return -ENOEXEC;
	}
	return 0;
}
