/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mk-kv's parts: the server, its options and the protocol (mk-kv.c), and
 * the store (store.c): a hash table in memory, written through to a log
 * in the preserved region.
 */
#ifndef MK_KV_H
#define MK_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif

#define KV_KEY_MAX	64	/* bytes of a key */
#define KV_VALUE_MAX	256	/* bytes of a value */
#define KV_KEYS_MAX	(1 << 20)	/* keys in the table */

/* One key and its value; @off is its record in the region. */
struct kv_entry {
	struct kv_entry *next;	/* in its hash bucket */
	char *value;
	uint64_t off;
	uint32_t hash;
	uint16_t vlen;
	uint8_t klen;
	char key[];
};

/* The region, mapped or read and written with pread()/pwrite(). */
struct kv_region {
	int fd;
	unsigned char *map;	/* NULL: pread()/pwrite() */
	uint64_t size;		/* bytes */
	uint64_t start, len;	/* the log's window: bytes from @start */
	bool formatted;		/* else all zeros until the first record */
};

/* The keys, and the region if there is one. */
struct kv_store {
	struct kv_entry **buckets;
	size_t nbuckets;	/* a power of 2 */
	size_t count;		/* keys */
	uint64_t live;		/* bytes of their records */
	bool has_region;
	struct kv_region r;
};

/* Where log lines go: log_line() is in mk-kv.c. */
__printf(1, 2) void kv_log(const char *fmt, ...);

bool kv_valid_bytes(const char *s, size_t len);

int kv_store_init(struct kv_store *s);
int kv_store_attach(struct kv_store *s, const char *path);
void kv_store_close(struct kv_store *s);
const struct kv_entry *kv_get(const struct kv_store *s, const char *key,
			      size_t klen);
int kv_set(struct kv_store *s, const char *key, size_t klen,
	   const char *value, size_t vlen);

#endif /* MK_KV_H */
