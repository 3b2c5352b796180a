/*
 * floor: the least work a namespace lister must do, single-threaded. For
 * each /proc/PID: open the directory, fstat it (the owner), read stat (the
 * name and parent), fstatat the eight ns links (the inodes). It then counts
 * processes per namespace and prints "INODE TYPE NPROCS" sorted by inode,
 * so that its output can be compared with nsview's and lsns's.
 *
 * floor -c also reads each process's cgroup file, as a lister that tells
 * which container a process runs in must: the floor of attribution.
 *
 * floor -r reads the ns links with readlinkat instead, which nsview does:
 * it asks the kernel for the link's text and does not follow the link into
 * nsfs, half the kernel's work. floor -j N splits the processes among N
 * threads. `floor -r -j NCPU` is the least the kernel's share of nsview's
 * scan takes on this machine.
 *
 * Built and run by bench/run; it is a yardstick, not part of nsview.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *types[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};
#define NTYPES 8

struct ns { unsigned long ino; int type; long nprocs; };
static struct ns *table;
static size_t cap, len;

/* count adds one process to the namespace (ino, type): a hash table with
 * linear probing, so the floor does no per-namespace scans. */
static void count(unsigned long ino, int type)
{
	if (len * 2 >= cap) {
		size_t old = cap;
		struct ns *prev = table;
		cap = cap ? cap * 2 : 4096;
		table = calloc(cap, sizeof *table);
		len = 0;
		for (size_t i = 0; i < old; i++)
			if (prev[i].ino) {
				size_t h = prev[i].ino % cap;
				while (table[h].ino) h = (h + 1) % cap;
				table[h] = prev[i];
				len++;
			}
		free(prev);
	}
	size_t h = ino % cap;
	while (table[h].ino && !(table[h].ino == ino && table[h].type == type))
		h = (h + 1) % cap;
	if (!table[h].ino) { table[h].ino = ino; table[h].type = type; len++; }
	table[h].nprocs++;
}

static int by_inode(const void *a, const void *b)
{
	const struct ns *x = a, *y = b;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static const char *root = "/proc";
static int cgroups, readlinks, nthreads = 1;
static char **pids;             /* the entries of root that name processes */
static size_t npids;
static unsigned long (*inodes)[NTYPES]; /* per process; 0 where unread */

/* read_process reads process i's files; its inodes go to inodes[i]. */
static void read_process(size_t i)
{
	char path[4096], buf[4096], link[32];
	snprintf(path, sizeof path, "%s/%s", root, pids[i]);
	int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) return;
	struct stat st;
	int fd;
	if (fstat(dir, &st) < 0 || (fd = openat(dir, "stat", O_RDONLY | O_CLOEXEC)) < 0) { close(dir); return; }
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0 || !memrchr(buf, ')', n)) { close(dir); return; }
	if (cgroups && (fd = openat(dir, "cgroup", O_RDONLY | O_CLOEXEC)) >= 0) {
		while (read(fd, buf, sizeof buf) > 0) ;
		close(fd);
	}
	for (int t = 0; t < NTYPES; t++) {
		snprintf(link, sizeof link, "ns/%s", types[t]);
		if (!readlinks) {
			if (fstatat(dir, link, &st, 0) == 0) inodes[i][t] = st.st_ino;
			continue;
		}
		ssize_t k = readlinkat(dir, link, buf, sizeof buf - 1);
		char *open_bracket = k > 0 ? memchr(buf, '[', k) : NULL;
		if (open_bracket) { buf[k] = 0; inodes[i][t] = strtoul(open_bracket + 1, NULL, 10); }
	}
	close(dir);
}

/* worker reads every nthreads-th process, starting at its number. */
static void *worker(void *arg)
{
	for (size_t i = (size_t)arg; i < npids; i += nthreads) read_process(i);
	return NULL;
}

static void list_processes(void)
{
	DIR *proc = opendir(root);
	if (!proc) { perror(root); exit(1); }
	size_t capacity = 1024;
	pids = malloc(capacity * sizeof *pids);
	struct dirent *e;
	while ((e = readdir(proc))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
		if (npids == capacity) pids = realloc(pids, (capacity *= 2) * sizeof *pids);
		pids[npids++] = strdup(e->d_name);
	}
	closedir(proc);
}

int main(int argc, char **argv)
{
	for (int opt; (opt = getopt(argc, argv, "crj:")) != -1;) {
		switch (opt) {
		case 'c': cgroups = 1; break;
		case 'r': readlinks = 1; break;
		case 'j': nthreads = atoi(optarg); break;
		default: fprintf(stderr, "usage: floor [-c] [-r] [-j THREADS] [ROOT]\n"); return 2;
		}
	}
	if (nthreads < 1) { fprintf(stderr, "floor: -j takes a positive number\n"); return 2; }
	if (optind < argc) root = argv[optind];
	list_processes();
	inodes = calloc(npids ? npids : 1, sizeof *inodes);
	pthread_t *threads = calloc(nthreads, sizeof *threads);
	for (int k = 1; k < nthreads; k++) {
		if ((errno = pthread_create(&threads[k], NULL, worker, (void *)(size_t)k))) { perror("pthread_create"); return 1; }
	}
	worker((void *)0);
	for (int k = 1; k < nthreads; k++) pthread_join(threads[k], NULL);
	for (size_t i = 0; i < npids; i++)
		for (int t = 0; t < NTYPES; t++)
			if (inodes[i][t]) count(inodes[i][t], t);
	struct ns *out = malloc(len * sizeof *out);
	size_t k = 0;
	for (size_t i = 0; i < cap; i++) if (table[i].ino) out[k++] = table[i];
	qsort(out, k, sizeof *out, by_inode);
	for (size_t i = 0; i < k; i++) printf("%lu %s %ld\n", out[i].ino, types[out[i].type], out[i].nprocs);
	return 0;
}
