/* SPDX-License-Identifier: BSD-3-Clause */
/* zthread.h: the helper threads of loading and compiling, which never take a signal */
#ifndef ZTHREAD_H
#define ZTHREAD_H

#include <pthread.h>

/*
 * pthread_create() with every signal blocked in the new thread (it inherits the mask set around
 * the call): a process-directed signal that sandnsd reads from a signalfd (SIGHUP: reload)
 * must never go to a thread that would take its default action. 0 or an errno value.
 */
int zthread_start(pthread_t *tid, void *(*fn)(void *), void *arg);

#endif
