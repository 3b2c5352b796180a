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
 * Built and run by bench/run; it is a yardstick, not part of nsview.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
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

int main(int argc, char **argv)
{
	int cgroups = argc > 1 && strcmp(argv[1], "-c") == 0;
	if (cgroups) { argc--; argv++; }
	const char *root = argc > 1 ? argv[1] : "/proc";
	DIR *proc = opendir(root);
	if (!proc) { perror(root); return 1; }
	char path[4096], buf[4096], link[32];
	struct dirent *e;
	while ((e = readdir(proc))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
		snprintf(path, sizeof path, "%s/%s", root, e->d_name);
		int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0) continue;
		struct stat st;
		int fd;
		if (fstat(dir, &st) < 0 || (fd = openat(dir, "stat", O_RDONLY | O_CLOEXEC)) < 0) { close(dir); continue; }
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0 || !memrchr(buf, ')', n)) { close(dir); continue; }
		if (cgroups && (fd = openat(dir, "cgroup", O_RDONLY | O_CLOEXEC)) >= 0) {
			while (read(fd, buf, sizeof buf) > 0) ;
			close(fd);
		}
		for (int t = 0; t < NTYPES; t++) {
			snprintf(link, sizeof link, "ns/%s", types[t]);
			if (fstatat(dir, link, &st, 0) == 0) count(st.st_ino, t);
		}
		close(dir);
	}
	closedir(proc);
	struct ns *out = malloc(len * sizeof *out);
	size_t k = 0;
	for (size_t i = 0; i < cap; i++) if (table[i].ino) out[k++] = table[i];
	qsort(out, k, sizeof *out, by_inode);
	for (size_t i = 0; i < k; i++) printf("%lu %s %ld\n", out[i].ino, types[out[i].type], out[i].nprocs);
	return 0;
}
