// SPDX-License-Identifier: GPL-2.0
/*
 * mk-kv's store: the keys in a hash table, every change written through
 * to an append-only log in the preserved region before it is answered,
 * so that what was acknowledged survives a crash of the kernel.
 *
 * The region's format, version 1 (all fields in the CPU's byte order):
 *
 *	offset	size	field
 *	0	8	magic		KV_MAGIC, "MKKVLOG1"; 0: the region is empty
 *	8	4	version		KV_VERSION
 *	12	4	head_size	KV_HEAD_SIZE: where records may start
 *	16	8	size		the region's bytes when it was formatted
 *	24	8	window		the log: bits 0-31 its start, bits 32-63
 *				its length, both in units of 8 bytes
 *	32	4	head_sum	FNV-1a 32 of bytes 0-23
 *	36	28	zero
 *
 * then records, each 8-byte aligned:
 *
 *	0	2	klen		key bytes, 1 to KV_KEY_MAX
 *	2	2	vlen		value bytes, 1 to KV_VALUE_MAX
 *	4	4	sum		FNV-1a 32 of klen, vlen, key and value
 *	8	klen	key
 *	...	vlen	value, then zeros to a multiple of 8 bytes
 *
 * A record with klen and vlen 0 (and sum KV_PAD_SUM) is padding: the log
 * goes on at the first record, KV_HEAD_SIZE, as it also does when a
 * record ends exactly at the region's end.  The log is a ring: the window
 * is the only live part, bytes outside it are free.  When the store
 * starts, it replays the window's records in order, a later record of a
 * key superseding earlier ones; a record that is not valid ends the log
 * there (the window is cut to what came before it).
 *
 * Crash safety: the header is formatted, at the first SET (a region
 * whose magic is 0 is empty and stays zeros until then), with its magic
 * written last.  A record is written outside the
 * window first; then, after a full barrier, one aligned 8-byte store of
 * the window takes it in.  A crash at any point leaves either the old
 * window or the new one.  When there is no room for a record, the
 * cleaner takes records from the start of the window: a superseded one
 * is dropped, a live one copied to the end; each step is again one store
 * of the window, which drops the old copy and takes the new one at once.
 * New records leave KV_RESERVE bytes free so that a copy always fits.
 * When one pass over the log does not make room, a SET fails: ERR full.
 *
 * Without mmap() (it failed), the region is read and written with
 * pread() and pwrite(); the window is then one 8-byte pwrite().
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kv.h"

#define KV_MAGIC	0x31474f4c564b4b4dULL	/* "MKKVLOG1" */
#define KV_VERSION	1
#define KV_HEAD_SIZE	64
#define KV_WINDOW_OFF	24			/* of the window in the header */
#define KV_REC_HEAD	8
#define KV_REC_MAX	(KV_REC_HEAD + KV_KEY_MAX + KV_VALUE_MAX)
/*
 * Free bytes a new record leaves: the cleaner can then always copy the
 * first record, padding included (less than a record), to the end.
 */
#define KV_RESERVE	(2 * KV_REC_MAX)
#define KV_REGION_MIN	4096
#define KV_REGION_MAX	(0xffffffffULL * 8)	/* the window's units */
#define KV_BUCKETS_MIN	1024

#define FNV32_OFFSET	0x811c9dc5U
#define FNV32_PRIME	0x01000193U

struct kv_head {
	uint64_t magic;
	uint32_t version;
	uint32_t head_size;
	uint64_t size;
	uint64_t window;
	uint32_t head_sum;
	uint32_t zero[7];
};

struct kv_rec {
	uint16_t klen;
	uint16_t vlen;
	uint32_t sum;
};

static_assert(sizeof(struct kv_head) == KV_HEAD_SIZE, "kv_head");
static_assert(sizeof(struct kv_rec) == KV_REC_HEAD, "kv_rec");

static uint32_t fnv32(uint32_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len--) {
		h ^= *p++;
		h *= FNV32_PRIME;
	}
	return h;
}

/**
 * kv_valid_bytes() - whether a key or value has only allowed bytes
 * @s: the bytes
 * @len: how many
 *
 * Return: true if every byte is printable ASCII other than space.
 */
bool kv_valid_bytes(const char *s, size_t len)
{
	while (len--)
		if (s[len] < 0x21 || s[len] > 0x7e)
			return false;
	return true;
}

/* The hash table. */

static uint64_t rec_size(size_t klen, size_t vlen)
{
	return (KV_REC_HEAD + klen + vlen + 7) & ~7ULL;
}

static struct kv_entry *table_find(const struct kv_store *s, const char *key,
				   size_t klen, uint32_t hash)
{
	struct kv_entry *e = s->buckets[hash & (s->nbuckets - 1)];

	for (; e; e = e->next)
		if (e->hash == hash && e->klen == klen &&
		    !memcmp(e->key, key, klen))
			return e;
	return NULL;
}

/* Double the buckets when the chains get long; failing that, carry on. */
static void table_grow(struct kv_store *s)
{
	size_t n = s->nbuckets * 2, i;
	struct kv_entry **b, *e, *next;

	if (s->count < s->nbuckets)
		return;
	b = calloc(n, sizeof(*b));
	if (!b)
		return;
	for (i = 0; i < s->nbuckets; i++) {
		for (e = s->buckets[i]; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(s->buckets);
	s->buckets = b;
	s->nbuckets = n;
}

static struct kv_entry *entry_new(const char *key, size_t klen, uint32_t hash)
{
	struct kv_entry *e = calloc(1, sizeof(*e) + klen);

	if (!e)
		return NULL;
	memcpy(e->key, key, klen);
	e->klen = klen;
	e->hash = hash;
	return e;
}

static void table_insert(struct kv_store *s, struct kv_entry *e)
{
	struct kv_entry **b = &s->buckets[e->hash & (s->nbuckets - 1)];

	e->next = *b;
	*b = e;
	s->count++;
	table_grow(s);
}

/* A change of the table, allocated before the region is written. */
struct kv_change {
	struct kv_entry *e;	/* the key's entry, new or not */
	char *value;
	size_t vlen;
	bool fresh;		/* @e is new */
};

/* Allocate what setting @key to @value takes; 0, -ENOMEM or -ENOSPC. */
static int table_prepare(struct kv_store *s, const char *key, size_t klen,
			 const char *value, size_t vlen, struct kv_change *c)
{
	uint32_t hash = fnv32(FNV32_OFFSET, key, klen);

	c->e = table_find(s, key, klen, hash);
	c->fresh = !c->e;
	if (c->fresh && s->count >= KV_KEYS_MAX)
		return -ENOSPC;
	c->value = malloc(vlen);
	if (c->fresh && c->value)
		c->e = entry_new(key, klen, hash);
	if (!c->value || !c->e) {
		free(c->value);
		return -ENOMEM;
	}
	memcpy(c->value, value, vlen);
	c->vlen = vlen;
	return 0;
}

/* Make the change @c, whose record is at @off. */
static void table_apply(struct kv_store *s, struct kv_change *c, uint64_t off)
{
	struct kv_entry *e = c->e;

	if (!c->fresh)
		s->live -= rec_size(e->klen, e->vlen);
	s->live += rec_size(e->klen, c->vlen);
	free(e->value);
	e->value = c->value;
	e->vlen = c->vlen;
	e->off = off;
	if (c->fresh)
		table_insert(s, e);
}

static void table_abort(struct kv_change *c)
{
	free(c->value);
	if (c->fresh)
		free(c->e);
}

/* Set @key to @value in the table only, its record at @off; 0 or -errno. */
static int table_set(struct kv_store *s, const char *key, size_t klen,
		     const char *value, size_t vlen, uint64_t off)
{
	struct kv_change c;
	int err = table_prepare(s, key, klen, value, vlen, &c);

	if (!err)
		table_apply(s, &c, off);
	return err;
}

static void table_free(struct kv_store *s)
{
	struct kv_entry *e, *next;
	size_t i;

	for (i = 0; i < s->nbuckets; i++) {
		for (e = s->buckets[i]; e; e = next) {
			next = e->next;
			free(e->value);
			free(e);
		}
	}
	free(s->buckets);
	s->buckets = NULL;
	s->count = 0;
	s->live = 0;
}

/* Reading and writing the region. */

static int region_read(const struct kv_region *r, uint64_t off, void *buf,
		       size_t len)
{
	ssize_t n;

	if (r->map) {
		memcpy(buf, r->map + off, len);
		return 0;
	}
	while (len) {
		n = pread(r->fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EIO;
		buf = (char *)buf + n;
		off += n;
		len -= n;
	}
	return 0;
}

static int region_write(const struct kv_region *r, uint64_t off,
			const void *buf, size_t len)
{
	ssize_t n;

	if (r->map) {
		memcpy(r->map + off, buf, len);
		return 0;
	}
	while (len) {
		n = pwrite(r->fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EIO;
		buf = (const char *)buf + n;
		off += n;
		len -= n;
	}
	return 0;
}

/*
 * Make [@start, @start + @len) the log, in one 8-byte store after all that
 * was written before it; 0 or -errno (and then the window is unchanged,
 * for all that can be told).
 */
static int region_commit(struct kv_region *r, uint64_t start, uint64_t len)
{
	uint64_t w;
	int err;

	if (!len)
		start = KV_HEAD_SIZE;	/* an empty log starts afresh */
	w = (len / 8) << 32 | start / 8;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (r->map) {
		__atomic_store_n((uint64_t *)(r->map + KV_WINDOW_OFF), w,
				 __ATOMIC_SEQ_CST);
	} else {
		err = region_write(r, KV_WINDOW_OFF, &w, sizeof(w));
		if (err)
			return err;
	}
	r->start = start;
	r->len = len;
	return 0;
}

/* The log. */

static uint32_t rec_sum(const struct kv_rec *h, const char *body)
{
	uint32_t sum = fnv32(FNV32_OFFSET, h, 4);	/* klen and vlen */

	return fnv32(sum, body, h->klen + h->vlen);
}

static uint32_t pad_sum(void)
{
	struct kv_rec pad = { 0 };

	return rec_sum(&pad, NULL);
}

/* Build the record of @key and @value in @buf; its size. */
static uint64_t rec_build(unsigned char *buf, const char *key, size_t klen,
			  const char *value, size_t vlen)
{
	struct kv_rec h = { .klen = klen, .vlen = vlen };
	uint64_t size = rec_size(klen, vlen);

	memset(buf, 0, size);
	memcpy(buf + KV_REC_HEAD, key, klen);
	memcpy(buf + KV_REC_HEAD + klen, value, vlen);
	h.sum = rec_sum(&h, (const char *)buf + KV_REC_HEAD);
	memcpy(buf, &h, sizeof(h));
	return size;
}

/* The offset @len bytes into the ring after @off. */
static uint64_t ring_add(const struct kv_region *r, uint64_t off, uint64_t len)
{
	off += len;
	if (off >= r->size)
		off -= r->size - KV_HEAD_SIZE;
	return off;
}

/*
 * Where a record of @size bytes can go after the log's end, leaving
 * @reserve bytes free: at *@pos, after *@pad bytes of padding up to the
 * region's end.  False: no room.
 */
static bool log_room(const struct kv_region *r, uint64_t size,
		     uint64_t reserve, uint64_t *pos, uint64_t *pad)
{
	uint64_t cap = r->size - KV_HEAD_SIZE;
	uint64_t end = ring_add(r, r->start, r->len);

	*pad = 0;
	*pos = end;
	if (r->len + size + reserve > cap)
		return false;
	if (end < r->start || r->size - end >= size)
		return true;	/* wrapped (free up to the start), or fits */
	*pad = r->size - end;
	*pos = KV_HEAD_SIZE;
	return r->len + *pad + size + reserve <= cap;
}

/*
 * Write the record @rec of @size bytes at the log's end and take it in,
 * dropping the first @drop bytes of the log in the same store; its offset
 * in *@pos.  A new record (no @drop) leaves KV_RESERVE bytes free, for the
 * cleaner.  0, -ENOSPC or -errno.
 */
static int log_put(struct kv_region *r, const unsigned char *rec,
		   uint64_t size, uint64_t drop, uint64_t *pos)
{
	struct kv_rec pad_rec = { .sum = pad_sum() };
	uint64_t pad;
	int err;

	if (!log_room(r, size, drop ? 0 : KV_RESERVE, pos, &pad))
		return -ENOSPC;
	if (pad) {
		err = region_write(r, r->size - pad, &pad_rec, sizeof(pad_rec));
		if (err)
			return err;
	}
	err = region_write(r, *pos, rec, size);
	if (err)
		return err;
	return region_commit(r, ring_add(r, r->start, drop),
			     r->len - drop + pad + size);
}

/*
 * Check the record at @pos, at most @room bytes long, and read its key and
 * value into @body; its size, or 0 if it is not valid.  *@is_pad: it is
 * padding.
 */
static uint64_t rec_read(const struct kv_region *r, uint64_t pos,
			 uint64_t room, struct kv_rec *h, char *body,
			 bool *is_pad)
{
	uint64_t size;

	*is_pad = false;
	if (region_read(r, pos, h, sizeof(*h)))
		return 0;
	if (!h->klen && !h->vlen) {
		*is_pad = h->sum == pad_sum();
		size = r->size - pos;
		return *is_pad && size <= room ? size : 0;
	}
	if (!h->klen || h->klen > KV_KEY_MAX || !h->vlen ||
	    h->vlen > KV_VALUE_MAX)
		return 0;
	size = rec_size(h->klen, h->vlen);
	if (size > room || pos + size > r->size ||
	    region_read(r, pos + KV_REC_HEAD, body, h->klen + h->vlen) ||
	    !kv_valid_bytes(body, h->klen + h->vlen) ||
	    rec_sum(h, body) != h->sum)
		return 0;
	return size;
}

/*
 * Replay the log into the table; cut it at the first record that is not
 * valid.  0 or -errno.
 */
static int log_replay(struct kv_store *s, const char *path)
{
	struct kv_region *r = &s->r;
	uint64_t pos = r->start, done = 0, size;
	char body[KV_KEY_MAX + KV_VALUE_MAX];
	struct kv_rec h;
	bool is_pad;
	int err;

	while (done < r->len) {
		size = rec_read(r, pos, r->len - done, &h, body, &is_pad);
		if (!size)
			break;
		if (!is_pad) {
			err = table_set(s, body, h.klen, body + h.klen, h.vlen,
					pos);
			if (err)
				return err;
		}
		pos = ring_add(r, pos, size);
		done += size;
	}
	if (done == r->len)
		return 0;
	kv_log("region %s: no valid record at offset %llu: the log ends there",
	       path, (unsigned long long)pos);
	return region_commit(r, r->start, done);
}

/*
 * The record at the log's start: its size, and in *@live the entry whose
 * current value it holds (NULL if it holds none).  0 if it cannot be read.
 */
static uint64_t log_first(struct kv_store *s, struct kv_entry **live)
{
	struct kv_region *r = &s->r;
	char body[KV_KEY_MAX + KV_VALUE_MAX];
	struct kv_entry *e;
	struct kv_rec h;
	uint64_t size;
	bool is_pad;

	*live = NULL;
	size = rec_read(r, r->start, r->len, &h, body, &is_pad);
	if (!size || is_pad)
		return size;
	e = table_find(s, body, h.klen, fnv32(FNV32_OFFSET, body, h.klen));
	if (e && e->off == r->start)
		*live = e;
	return size;
}

/* Make room for a record of @need bytes, as far as dropping records can. */
static void log_clean(struct kv_store *s, uint64_t need)
{
	unsigned char rec[KV_REC_MAX];
	struct kv_region *r = &s->r;
	uint64_t budget = r->len, size, pos, pad;
	struct kv_entry *e;

	while (budget && !log_room(r, need, KV_RESERVE, &pos, &pad)) {
		size = log_first(s, &e);
		if (!size)
			return;
		if (!e) {
			if (region_commit(r, ring_add(r, r->start, size),
					  r->len - size))
				return;
		} else {
			rec_build(rec, e->key, e->klen, e->value, e->vlen);
			if (log_put(r, rec, size, size, &pos))
				return;
			e->off = pos;
		}
		budget -= size < budget ? size : budget;
	}
}

/* Setting up the region. */

/* Format the region: an empty log, the magic written last; 0 or -errno. */
static int head_format(struct kv_region *r)
{
	struct kv_head h = {
		.magic = KV_MAGIC,
		.version = KV_VERSION,
		.head_size = KV_HEAD_SIZE,
		.size = r->size,
		.window = KV_HEAD_SIZE / 8,
	};
	uint64_t magic = KV_MAGIC;
	int err;

	h.head_sum = fnv32(FNV32_OFFSET, &h, KV_WINDOW_OFF);
	h.magic = 0;
	err = region_write(r, 0, &h, sizeof(h));
	if (err)
		return err;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return region_write(r, 0, &magic, sizeof(magic));
}

/* Check the header of a formatted region; NULL or what is wrong. */
static const char *head_check(struct kv_region *r, const struct kv_head *h)
{
	uint64_t start = (h->window & 0xffffffffULL) * 8;
	uint64_t len = (h->window >> 32) * 8;

	if (h->magic != KV_MAGIC)
		return "not an mk-kv log (bad magic)";
	if (h->version != KV_VERSION)
		return "unknown format version";
	if (h->head_size != KV_HEAD_SIZE ||
	    h->head_sum != fnv32(FNV32_OFFSET, h, KV_WINDOW_OFF))
		return "bad header";
	if (h->size != r->size)
		return "formatted for another size";
	if (start < KV_HEAD_SIZE || start >= r->size ||
	    len > r->size - KV_HEAD_SIZE)
		return "bad log window";
	r->start = start;
	r->len = len;
	return NULL;
}

/* Check the header of a region unless it is empty; 0 or -1 after a message. */
static int region_load_head(struct kv_region *r, const char *path)
{
	struct kv_head h;
	const char *why;
	int err;

	err = region_read(r, 0, &h, sizeof(h));
	if (err) {
		kv_log("cannot read region %s: %s", path, strerror(-err));
		return -1;
	}
	if (!h.magic) {
		/* empty: formatted by the first SET, zeros until then */
		r->start = KV_HEAD_SIZE;
		r->len = 0;
		return 0;
	}
	why = head_check(r, &h);
	if (why) {
		kv_log("region %s: %s", path, why);
		return -1;
	}
	r->formatted = true;
	return 0;
}

/* Open and map the region; 0, 1 if it does not exist, -1 after a message. */
static int region_open(struct kv_region *r, const char *path)
{
	struct stat st;

	r->fd = open(path, O_RDWR | O_CLOEXEC);
	if (r->fd < 0 && errno == ENOENT)
		return 1;
	if (r->fd < 0 || fstat(r->fd, &st)) {
		kv_log("cannot open region %s: %s", path, strerror(errno));
		return -1;
	}
	r->size = st.st_size;
	if (st.st_size < KV_REGION_MIN || st.st_size % 8 ||
	    (uint64_t)st.st_size > KV_REGION_MAX) {
		kv_log("region %s: bad size %lld (%d bytes to %llu GiB, multiple of 8)",
		       path, (long long)st.st_size, KV_REGION_MIN,
		       KV_REGION_MAX >> 30);
		return -1;
	}
	r->map = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      r->fd, 0);
	if (r->map == MAP_FAILED)
		r->map = NULL;	/* pread() and pwrite() then */
	return 0;
}

static void region_close(struct kv_region *r)
{
	if (r->map)
		munmap(r->map, r->size);
	if (r->fd >= 0)
		close(r->fd);
	r->map = NULL;
	r->fd = -1;
}

/**
 * kv_store_init() - make an empty store, in memory only
 * @s: the store
 *
 * Return: 0 or -ENOMEM.
 */
int kv_store_init(struct kv_store *s)
{
	*s = (struct kv_store){ .r.fd = -1 };
	s->buckets = calloc(KV_BUCKETS_MIN, sizeof(*s->buckets));
	if (!s->buckets)
		return -ENOMEM;
	s->nbuckets = KV_BUCKETS_MIN;
	return 0;
}

/**
 * kv_store_attach() - load the region into an empty store and write to it
 * @s: the store, as kv_store_init() made it
 * @path: the region's file
 *
 * A region whose magic is 0 is empty: it is formatted at the first SET.
 * Errors are logged with kv_log().
 *
 * Return: 0, 1 if there is no such region, -1 if it cannot be used.
 */
int kv_store_attach(struct kv_store *s, const char *path)
{
	int ret = region_open(&s->r, path);

	if (!ret && region_load_head(&s->r, path))
		ret = -1;
	if (!ret) {
		ret = log_replay(s, path);
		if (ret) {
			kv_log("region %s: cannot load it: %s", path,
			       strerror(-ret));
			ret = -1;
		}
	}
	if (ret) {
		region_close(&s->r);
		return ret;
	}
	s->has_region = true;
	return 0;
}

/**
 * kv_store_close() - free the store and close its region
 * @s: the store
 */
void kv_store_close(struct kv_store *s)
{
	table_free(s);
	region_close(&s->r);
	s->has_region = false;
}

/**
 * kv_get() - look a key up
 * @s: the store
 * @key: the key (any bytes)
 * @klen: its length
 *
 * Return: the key's entry, or NULL if it has no value.
 */
const struct kv_entry *kv_get(const struct kv_store *s, const char *key,
			      size_t klen)
{
	return table_find(s, key, klen, fnv32(FNV32_OFFSET, key, klen));
}

/* Write the record of @key and @value to the region; 0 or -errno. */
static int region_set(struct kv_store *s, const char *key, size_t klen,
		      const char *value, size_t vlen, uint64_t *pos)
{
	const struct kv_entry *e = kv_get(s, key, klen);
	uint64_t size, p, pad, live = s->live;
	unsigned char rec[KV_REC_MAX];
	int err;

	if (!s->r.formatted) {
		err = head_format(&s->r);
		if (err)
			return err;
		s->r.formatted = true;
	}
	if (e)
		live -= rec_size(e->klen, e->vlen);	/* to be superseded */
	size = rec_build(rec, key, klen, value, vlen);
	if (!log_room(&s->r, size, KV_RESERVE, &p, &pad)) {
		/* the live records alone leave no room: do not try */
		if (live + size + KV_RESERVE > s->r.size - KV_HEAD_SIZE)
			return -ENOSPC;
		log_clean(s, size);
	}
	return log_put(&s->r, rec, size, 0, pos);
}

/**
 * kv_set() - set a key's value, in the region first if there is one
 * @s: the store
 * @key: the key, 1 to KV_KEY_MAX valid bytes (kv_valid_bytes())
 * @klen: its length
 * @value: the value, 1 to KV_VALUE_MAX valid bytes
 * @vlen: its length
 *
 * Once it returns 0, the new value is in the region (the record and the
 * window that takes it in are stored).
 *
 * Return: 0, -ENOSPC (the region or the table is full), -ENOMEM, or the
 * -errno of a failed write to the region; the store is then unchanged.
 */
int kv_set(struct kv_store *s, const char *key, size_t klen,
	   const char *value, size_t vlen)
{
	const struct kv_entry *e = kv_get(s, key, klen);
	struct kv_change c;
	uint64_t pos = 0;
	int err;

	if (e && e->vlen == vlen && !memcmp(e->value, value, vlen))
		return 0;	/* the region has it already */
	err = table_prepare(s, key, klen, value, vlen, &c);
	if (err)
		return err;
	if (s->has_region) {
		err = region_set(s, key, klen, value, vlen, &pos);
		if (err) {
			table_abort(&c);
			return err;
		}
	}
	table_apply(s, &c, pos);
	return 0;
}
