/* SPDX-License-Identifier: BSD-3-Clause */
/* zthread.c: the helper threads of loading and compiling, which never take a signal */
#include <signal.h>

#include "zthread.h"

int zthread_start(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(tid, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
