// SPDX-License-Identifier: GPL-2.0
/*
 * mk_trace_count OBJ ID OUT: count the multikernel trace events about
 * instance ID with the tp_btf programs of OBJ (bpf/trace_count.bpf.c)
 * until SIGTERM or SIGINT, then write one "EVENT COUNT" line per event
 * to OUT.  Prints "attached" on stdout once every program is attached.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

/* In the order of the counts[] indexes of trace_count.bpf.c. */
static const char *const names[] = {
	"state", "crashed", "cpu", "memory", "msg_send", "msg_recv",
	"msg_route", "msg_drop", "doorbell_ring", "doorbell",
	"heartbeat_miss", "policy",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NR_COUNTS ARRAY_SIZE(names)

static struct bpf_map *find_map(struct bpf_object *obj, const char *suffix)
{
	struct bpf_map *map;
	size_t n = strlen(suffix);

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);

		if (len >= n && !strcmp(name + len - n, suffix))
			return map;
	}
	return NULL;
}

static int write_counts(struct bpf_object *obj, const char *out)
{
	struct bpf_map *bss = find_map(obj, ".bss");
	unsigned long long counts[NR_COUNTS];
	FILE *f;
	size_t i;
	int key = 0;

	if (!bss || bpf_map__value_size(bss) < sizeof(counts) ||
	    bpf_map__lookup_elem(bss, &key, sizeof(key), counts,
				 bpf_map__value_size(bss), 0)) {
		fprintf(stderr, "mk_trace_count: cannot read the counts\n");
		return 1;
	}
	f = fopen(out, "w");
	if (!f) {
		perror(out);
		return 1;
	}
	for (i = 0; i < NR_COUNTS; i++)
		fprintf(f, "%s %llu\n", names[i], counts[i]);
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *data_map;
	sigset_t mask;
	unsigned int id;
	int sig;
	size_t size;
	void *data;

	if (argc != 4) {
		fprintf(stderr, "usage: mk_trace_count OBJ ID OUT\n");
		return 2;
	}
	id = strtoul(argv[2], NULL, 10);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "mk_trace_count: %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	data_map = find_map(obj, ".data");
	data = data_map ? bpf_map__initial_value(data_map, &size) : NULL;
	if (!data || size < sizeof(id)) {
		fprintf(stderr, "mk_trace_count: no target_id in %s\n", argv[1]);
		return 1;
	}
	memcpy(data, &id, sizeof(id));
	if (bpf_object__load(obj)) {
		fprintf(stderr, "mk_trace_count: load: %s\n", strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "mk_trace_count: attach %s: %s\n",
				bpf_program__name(prog), strerror(errno));
			return 1;
		}
	}
	/* Blocked, then waited for: none is lost, none ends us early. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	printf("attached\n");
	fflush(stdout);
	sigwait(&mask, &sig);
	return write_counts(obj, argv[3]);
}
