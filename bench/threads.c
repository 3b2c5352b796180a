/*
 * threads N: a process of N threads that all sleep until killed, so that
 * the benchmark's population has multi-threaded processes (busybox and
 * sleep have one thread). Built by bench/population.sh.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static void *wait_forever(void *arg)
{
	(void)arg;
	for (;;) pause();
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t t;
	for (int i = 1; i < n; i++)
		if (pthread_create(&t, NULL, wait_forever, NULL) != 0) return 1;
	wait_forever(NULL);
	return 0;
}
