// SPDX-License-Identifier: GPL-2.0
/*
 * A policy's BPF object: one struct_ops map of the kernel type
 * multikernel_ops, put in section .struct_ops.link so that it attaches
 * through a BPF link (the kernel refuses it otherwise).  Its name member
 * is written before the object is loaded, where the object's BTF says the
 * member is: no offset is assumed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "mkctl.h"

#define OPS_TYPE	"multikernel_ops"
#define LINK_SEC	"SEC(\".struct_ops.link\")"
#define NOLINK_SEC	"SEC(\".struct_ops\")"
#define NAME_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

/**
 * mk_policy_err() - print "mkctl: policy: " and a message on stderr
 * @fmt: printf format of the message, without the newline
 *
 * Return: -1.
 */
int mk_policy_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mk_err("policy: %s", msg);
	return -1;
}

/**
 * mk_policy_strerror() - the text of an errno or of a libbpf error
 * @err: the error, positive or negative
 * @buf: where to put the text
 * @size: size of @buf
 *
 * Return: @buf
 */
const char *mk_policy_strerror(int err, char *buf, size_t size)
{
	if (libbpf_strerror(err, buf, size))
		snprintf(buf, size, "error %d", err < 0 ? -err : err);
	return buf;
}

static bool name_valid(const char *name)
{
	size_t len = strspn(name, NAME_CHARS);

	return len && len <= MK_POLICY_NAME_MAX && !name[len];
}

/**
 * mk_policy_check_name() - refuse a name the kernel would refuse
 * @name: the policy name
 *
 * Checked before a path is built from @name, so "../x" goes nowhere.
 *
 * Return: 0, or -1 after printing why @name is invalid.
 */
int mk_policy_check_name(const char *name)
{
	if (name_valid(name))
		return 0;
	return mk_policy_err("invalid name '%s' (1 to %d letters, digits, '_' and '-'): %s",
			     name, MK_POLICY_NAME_MAX, strerror(EINVAL));
}

/* Can @file be read?  libbpf would say so less plainly. */
static int readable(const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return mk_policy_err("cannot open %s: %s", file, strerror(errno));
	close(fd);
	return 0;
}

/* Find the one struct_ops map of @p->obj, attached through a link. */
static int find_ops(struct mk_policy *p)
{
	struct bpf_map *map;
	int n = 0;

	bpf_object__for_each_map(map, p->obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		p->ops = map;
		n++;
	}
	if (!n)
		return mk_policy_err("%s has no struct_ops map: define a struct %s in " LINK_SEC,
				     p->file, OPS_TYPE);
	if (n > 1)
		return mk_policy_err("%s has %d struct_ops maps; a policy has one",
				     p->file, n);
	if (!(bpf_map__map_flags(p->ops) & BPF_F_LINK))
		return mk_policy_err("%s: %s is in " NOLINK_SEC "; a policy's is in " LINK_SEC,
				     p->file, bpf_map__name(p->ops));
	return 0;
}

/* The name member of struct multikernel_ops in @btf: its offset and size. */
static int name_member(const struct btf *btf, __u32 type_id, __u32 *off,
		       __u32 *size)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	const struct btf_member *m = btf_members(t);
	int i, sz;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), "name"))
			continue;
		sz = btf__resolve_size(btf, m->type);
		if (sz <= MK_POLICY_NAME_MAX)
			return -EINVAL;
		*off = btf_member_bit_offset(t, i) / 8;
		*size = sz;
		return 0;
	}
	return -ENOENT;
}

/* The name member in the ops data of @p, of @size bytes; or NULL. */
static char *ops_name(const struct mk_policy *p, size_t *size)
{
	const struct btf *btf = bpf_object__btf(p->obj);
	__u32 off, sz;
	size_t len;
	char *data;
	int id;

	id = btf ? btf__find_by_name_kind(btf, OPS_TYPE, BTF_KIND_STRUCT) : -ENOENT;
	if (id < 0 || (__u32)id != bpf_map__btf_value_type_id(p->ops)) {
		mk_policy_err("%s: %s is not a struct %s", p->file,
			      bpf_map__name(p->ops), OPS_TYPE);
		return NULL;
	}
	if (name_member(btf, id, &off, &sz)) {
		mk_policy_err("%s: struct %s has no member name of at least %d bytes",
			      p->file, OPS_TYPE, MK_POLICY_NAME_MAX + 1);
		return NULL;
	}
	data = bpf_map__initial_value(p->ops, &len);
	if (!data || off + sz > len) {
		mk_policy_err("%s: the data of %s do not hold its name",
			      p->file, bpf_map__name(p->ops));
		return NULL;
	}
	*size = sz;
	return data + off;
}

/* @file's name without its directory and its .bpf.o or .o, in @buf. */
static void file_name(char *buf, size_t size, const char *file)
{
	static const char * const suffixes[] = { ".bpf.o", ".o" };
	const char *base = strrchr(file, '/');
	size_t len, i, n;

	base = base ? base + 1 : file;
	len = strlen(base);
	for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
		n = strlen(suffixes[i]);
		if (len > n && !strcmp(base + len - n, suffixes[i])) {
			len -= n;
			break;
		}
	}
	snprintf(buf, size, "%.*s", (int)len, base);
}

/*
 * Name the policy: @opt if given, else the name in the ops data if there
 * is one, else after its file; and write the name into the ops data.
 */
static int set_name(struct mk_policy *p, const char *opt)
{
	char name[NAME_MAX + 1], *member;
	size_t size;

	member = ops_name(p, &size);
	if (!member)
		return -1;
	if (opt)
		snprintf(name, sizeof(name), "%s", opt);
	else if (member[0])
		snprintf(name, sizeof(name), "%.*s", (int)size, member);
	else
		file_name(name, sizeof(name), p->file);
	if (mk_policy_check_name(name))
		return -1;
	snprintf(p->name, sizeof(p->name), "%.*s", MK_POLICY_NAME_MAX, name);
	memset(member, 0, size);
	memcpy(member, name, strlen(name));
	return 0;
}

/**
 * mk_policy_open() - open a policy's object and name it
 * @p: the policy; mk_policy_close() it in any case
 * @file: the object file, FILE.bpf.o
 * @name: its name, or NULL for the name in the object or else the file's
 *
 * Nothing is loaded into the kernel yet.
 *
 * Return: 0, or -1 after saying what is wrong.
 */
int mk_policy_open(struct mk_policy *p, const char *file, const char *name)
{
	char why[128];
	int err;

	memset(p, 0, sizeof(*p));
	p->file = file;
	if (readable(file))
		return -1;
	p->obj = bpf_object__open_file(file, NULL);
	if (!p->obj) {
		err = errno;
		return mk_policy_err("%s is not a BPF object: %s", file,
				     mk_policy_strerror(err, why, sizeof(why)));
	}
	return find_ops(p) || set_name(p, name) ? -1 : 0;
}

/* Where the const volatile variable @var of @p is: its data and type. */
static char *find_var(const struct mk_policy *p, const char *var,
		      const struct btf_type **type, __u32 *size)
{
	const struct btf *btf = bpf_object__btf(p->obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct bpf_map *map;
	size_t len;
	char *data;
	int i;

	bpf_object__for_each_map(map, p->obj) {
		if (!bpf_map__is_internal(map) || !strstr(bpf_map__name(map), ".rodata"))
			continue;
		sec = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
		if (!sec || !btf_is_datasec(sec))
			continue;
		vs = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vs++) {
			*type = btf__type_by_id(btf, vs->type);
			if (strcmp(btf__name_by_offset(btf, (*type)->name_off), var))
				continue;
			data = bpf_map__initial_value(map, &len);
			if (!data || vs->offset + vs->size > len)
				return NULL;
			*type = btf__type_by_id(btf, btf__resolve_type(btf, (*type)->type));
			*size = vs->size;
			return data + vs->offset;
		}
	}
	return NULL;
}

/* Is @t an integer type of @size bytes?  Set @sign if it is signed. */
static bool is_integer(const struct btf_type *t, __u32 size, bool *sign)
{
	if (!t || t->size != size || size > sizeof(__u64))
		return false;
	if (btf_is_int(t))
		*sign = btf_int_encoding(t) & BTF_INT_SIGNED;
	else if (btf_is_any_enum(t))
		*sign = btf_kflag(t);
	else
		return false;
	return true;
}

/* Parse @s as an integer of @size bytes, signed if @sign, into @val. */
static int parse_integer(const char *s, __u32 size, bool sign, __u64 *val)
{
	unsigned int bits = size * 8;
	long long v;
	char *end;

	errno = 0;
	if (sign) {
		v = strtoll(s, &end, 0);
		if (bits < 64 && (v >= 1LL << (bits - 1) || v < -(1LL << (bits - 1))))
			errno = ERANGE;
		*val = v;
	} else {
		*val = strtoull(s, &end, 0);
		if (s[strspn(s, " \t")] == '-' || (bits < 64 && *val >> bits))
			errno = ERANGE;
	}
	return errno || end == s || *end ? -1 : 0;
}

/**
 * mk_policy_set() - give a const volatile variable of a policy a value
 * @p: the policy, opened and not loaded
 * @set: "VAR=VALUE": the variable and an integer (decimal, or 0x hex)
 *
 * Return: 0, or -1 after saying what is wrong.
 */
int mk_policy_set(struct mk_policy *p, const char *set)
{
	const char *eq = strchr(set, '=');
	const struct btf_type *type;
	char var[128], *data;
	__u32 size;
	__u64 val;
	bool sign;

	snprintf(var, sizeof(var), "%.*s", eq ? (int)(eq - set) : 0, set);
	data = var[0] ? find_var(p, var, &type, &size) : NULL;
	if (!data)
		return mk_policy_err("%s has no const volatile variable '%s'",
				     p->file, var);
	if (!is_integer(type, size, &sign))
		return mk_policy_err("%s: %s is not an integer; --set gives integers only",
				     p->file, var);
	if (parse_integer(eq + 1, size, sign, &val))
		return mk_policy_err("--set %s: not an integer of %u bytes, %s",
				     set, size, sign ? "signed" : "unsigned");
	memcpy(data, &val, size);	/* little-endian, as BPF on x86 */
	return 0;
}

/**
 * mk_policy_close() - close a policy's object
 * @p: the policy
 *
 * What was loaded goes, but for what a link pinned holds.
 */
void mk_policy_close(struct mk_policy *p)
{
	bpf_object__close(p->obj);
	p->obj = NULL;
}
