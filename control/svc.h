/* SPDX-License-Identifier: BSD-3-Clause */
/* svc.h: sandnsd as a service: the systemd notify protocol, the pid file, dropping privileges */
#ifndef SVC_H
#define SVC_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"

/*
 * The systemd notify protocol (sd_notify(3)); each does nothing when NOTIFY_SOCKET is not set.
 * svc_ready: READY=1 with STATUS=TEXT, once sandnsd answers (and again after each reload).
 * svc_reloading: RELOADING=1 with MONOTONIC_USEC, before a reload; svc_reloaded ends it
 * (READY=1 and a STATUS saying how it went). svc_stopping: STOPPING=1, at the start of the end.
 */
void svc_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void svc_reloading(const char *what);
void svc_reloaded(bool ok, size_t nzones, size_t records, const char *why);
void svc_stopping(const char *why);

/*
 * pid-file: opens PATH and takes its lock (flock, held until exit) or fails when another live
 * sandnsd holds it (its pid in err); writes our pid. -1 with the reason in err, else the fd.
 * svc_pid_write writes the current pid again (after the fork into the background).
 * svc_pid_release removes the file (or empties it when its directory is not ours to write) and
 * closes FD.
 */
int svc_pid_take(const char *path, char *err, size_t errlen);
void svc_pid_write(int fd);
void svc_pid_release(const char *path, int *fd);

/*
 * `user USER[:GROUP]`: once sockets, ports and the control socket are set up, hands the state
 * directory (and the files in it), serial-state and the control socket to that account, then
 * becomes it (setgroups, setgid, setuid, every thread). The capabilities left: none with io
 * socket; with io dpdk, in this thread only (the one that stops the dataplane), those the PMDs
 * need to take down what they set up: CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_ADMIN, CAP_BPF,
 * CAP_DAC_OVERRIDE, CAP_IPC_LOCK. Nothing to do without `user`. SANDNS_EOK, or
 * SANDNS_ECONFIG/-errno with err.
 */
int svc_drop_privileges(const cfg_t *cfg, char *err, size_t errlen);

#endif
