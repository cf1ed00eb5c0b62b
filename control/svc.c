/* SPDX-License-Identifier: BSD-3-Clause */
/* svc.c: sandnsd as a service: the systemd notify protocol, the pid file, dropping privileges */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandns_err.h"
#include "svc.h"

/* ---- the notify protocol ---- */

/* Whether a service manager listens: sd_notify() itself reads NOTIFY_SOCKET each time. */
static bool svc_notifying(void)
{
	return getenv("NOTIFY_SOCKET") != NULL;
}

void svc_ready(const char *fmt, ...)
{
	char status[512];
	va_list ap;

	if (!svc_notifying())
		return;
	va_start(ap, fmt);
	vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	/* MAINPID: in the background the process that answers is not the one started. */
	sd_notifyf(0, "READY=1\nSTATUS=%s\nMAINPID=%ld", status, (long)getpid());
}

void svc_reloading(const char *what)
{
	struct timespec ts;

	if (!svc_notifying())
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
		   (unsigned long long)ts.tv_sec * 1000000ULL +
		       (unsigned long long)ts.tv_nsec / 1000ULL,
		   what);
}

void svc_reloaded(bool ok, size_t nzones, size_t records, const char *why)
{
	if (ok)
		svc_ready("serving %zu zone%s (%zu records); reloaded", nzones,
			  nzones == 1 ? "" : "s", records);
	else
		svc_ready("serving the previous snapshot: the reload failed: %.400s", why);
}

void svc_stopping(const char *why)
{
	if (svc_notifying())
		sd_notifyf(0, "STOPPING=1\nSTATUS=stopping: %s", why);
}

/* ---- the pid file ---- */

/* The pid written in the file FD, or 0. */
static long svc_pid_read(int fd)
{
	char text[32];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);

	if (n <= 0)
		return 0;
	text[n] = '\0';
	return strtol(text, NULL, 10);
}

void svc_pid_write(int fd)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());

	if (fd < 0)
		return;
	if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n)
		log_msg(LOG_WARNING, "cannot write the pid file: %s", strerror(errno));
}

/*
 * The lock says who owns the file, as with the control socket: a file left by a sandnsd that
 * died holds a pid nobody locks, and is taken over (a live process with that pid is no proof).
 */
int svc_pid_take(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644), e;

	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "pid-file %s: cannot open it: %s", path, strerror(e));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "pid-file %s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		e = errno;
		if (e == EWOULDBLOCK)
			snprintf(err, errlen,
				 "pid-file %s: another sandnsd (pid %ld) is running; stop it or "
				 "choose another pid-file",
				 path, svc_pid_read(fd));
		else
			snprintf(err, errlen, "pid-file %s: cannot lock it: %s", path, strerror(e));
		close(fd);
		return -1;
	}
	svc_pid_write(fd);
	return fd;
}

void svc_pid_release(const char *path, int *fd)
{
	if (*fd < 0)
		return;
	/* Without the right to its directory (after `user`), an empty file says nobody runs. */
	if (unlink(path) != 0 && ftruncate(*fd, 0) != 0)
		log_msg(LOG_WARNING, "pid-file %s: cannot remove it: %s", path, strerror(errno));
	close(*fd);
	*fd = -1;
}

/* ---- dropping privileges ---- */

/* Gives PATH (not following a symbolic link) to UID:GID when it exists; false on failure. */
static bool svc_give(const char *path, uid_t uid, gid_t gid)
{
	return lchown(path, uid, gid) == 0 || errno == ENOENT;
}

/* The state directory and the files in it (serials, journals) become the account's. */
static int svc_give_state_dir(const char *dir, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct dirent *de;
	DIR *d;
	int fd, e = 0;

	if (lchown(dir, uid, gid) != 0) {
		snprintf(err, errlen, "state-dir %s: cannot give it to the user: %s", dir,
			 strerror(errno));
		return -errno;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		e = errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "state-dir %s: %s", dir, strerror(e));
		return -e;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' &&
		    (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (fchownat(dirfd(d), de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0 && e == 0)
			e = errno;
	}
	closedir(d);
	if (e != 0) {
		snprintf(err, errlen, "state-dir %s: cannot give its files to the user: %s", dir,
			 strerror(e));
		return -e;
	}
	return SANDNS_EOK;
}

/* The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap). */
static unsigned svc_cap_last(void)
{
	unsigned last = CAP_AUDIT_READ;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");

	if (f != NULL) {
		if (fscanf(f, "%u", &last) != 1)
			last = CAP_AUDIT_READ;
		fclose(f);
	}
	return last;
}

/* This thread's permitted and effective capabilities become KEEP (a bit mask); inheritable none. */
static int svc_cap_set(uint64_t keep)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].permitted = d[0].effective = (uint32_t)keep;
	d[1].permitted = d[1].effective = (uint32_t)(keep >> 32);
	return syscall(SYS_capset, &h, d) == 0 ? 0 : -errno;
}

/*
 * With io dpdk: what the PMDs need to take down at exit what they set up (the AF_XDP program
 * and its maps, the TAP's addresses, the kernel's settings of the port): CAP_NET_ADMIN,
 * CAP_NET_RAW, CAP_SYS_ADMIN and CAP_BPF (libxdp's detach), CAP_DAC_OVERRIDE (libxdp's lock
 * directory /run/xdp and its pins in /sys/fs/bpf are root's), CAP_IPC_LOCK (locked memory).
 */
static uint64_t svc_dpdk_caps(void)
{
	static const unsigned want[] = {CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_ADMIN, CAP_DAC_OVERRIDE,
					CAP_IPC_LOCK,  39 /* CAP_BPF, Linux 5.8 */};
	unsigned last = svc_cap_last();
	uint64_t keep = 0;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (want[i] <= last)
			keep |= (uint64_t)1 << want[i];
	return keep;
}

int svc_drop_privileges(const cfg_t *cfg, char *err, size_t errlen)
{
	const char *state = cfg->state_dir != NULL ? cfg->state_dir : CFG_STATE_DIR_DEFAULT;
	uint64_t keep = cfg->io == CFG_IO_DPDK ? svc_dpdk_caps() : 0;
	char lock[4200];
	int rc;

	if (cfg->user == NULL)
		return SANDNS_EOK;
	if (geteuid() != 0) {
		if (geteuid() == cfg->uid && getegid() == cfg->gid)
			return SANDNS_EOK;
		snprintf(err, errlen,
			 "user %s: sandnsd runs as uid %u, not root: it cannot become "
			 "another user",
			 cfg->user, (unsigned)geteuid());
		return SANDNS_ECONFIG;
	}
	rc = svc_give_state_dir(state, cfg->uid, cfg->gid, err, errlen);
	if (rc != SANDNS_EOK)
		return rc;
	/* The signing keys (made by the first build, as root) must stay readable after the drop. */
	if (cfg->nsignings > 0) {
		char kbuf[4200];
		const char *keys = cfg_key_dir(cfg, kbuf, sizeof(kbuf));
		struct stat st;

		if (keys != NULL && lstat(keys, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = svc_give_state_dir(keys, cfg->uid, cfg->gid, err, errlen);
			if (rc != SANDNS_EOK)
				return rc;
		}
	}
	snprintf(lock, sizeof(lock), "%s.lock", cfg->control != NULL ? cfg->control : "");
	if ((cfg->serial_state != NULL && !svc_give(cfg->serial_state, cfg->uid, cfg->gid)) ||
	    (cfg->control != NULL && (!svc_give(cfg->control, cfg->uid, cfg->gid) ||
				      !svc_give(lock, cfg->uid, cfg->gid)))) {
		rc = -errno;
		snprintf(err, errlen,
			 "user %s: cannot give the control socket or serial-state to "
			 "it: %s",
			 cfg->user, strerror(errno));
		return rc;
	}
	/* This thread keeps its permitted set across setuid (the others lose everything). */
	if (keep != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
		rc = -errno;
		snprintf(err, errlen, "user %s: PR_SET_KEEPCAPS: %s", cfg->user, strerror(errno));
		return rc;
	}
	/* glibc applies each of these to every thread of the process. */
	if (setgroups(1, &cfg->gid) != 0 || setresgid(cfg->gid, cfg->gid, cfg->gid) != 0 ||
	    setresuid(cfg->uid, cfg->uid, cfg->uid) != 0) {
		rc = -errno;
		snprintf(err, errlen, "user %s: cannot become uid %u gid %u: %s", cfg->user,
			 (unsigned)cfg->uid, (unsigned)cfg->gid, strerror(errno));
		return rc;
	}
	if (keep != 0) {
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
		rc = svc_cap_set(keep);
		if (rc != 0) {
			snprintf(err, errlen,
				 "user %s: cannot keep the capabilities DPDK needs: %s", cfg->user,
				 strerror(-rc));
			return rc;
		}
	}
	/* No way back: a process that could become root again has dropped nothing. */
	if (setuid(0) == 0 || seteuid(0) == 0) {
		snprintf(err, errlen, "user %s: root could be regained; refusing to go on",
			 cfg->user);
		return SANDNS_ECONFIG;
	}
	if (access(state, W_OK | X_OK) != 0) {
		rc = -errno;
		snprintf(err, errlen, "state-dir %s: user %s cannot write there: %s", state,
			 cfg->user, strerror(errno));
		return rc;
	}
	/* Reloads read the zones again as this user: say now what it cannot read. */
	for (size_t i = 0; i < cfg->nzones; i++)
		if (access(cfg->zones[i].src.path, R_OK) != 0 && errno != ENOENT)
			log_msg(LOG_WARNING,
				"zone %s: user %s cannot read %s (%s): reloads of it will fail",
				cfg->zones[i].origin, cfg->user, cfg->zones[i].src.path,
				strerror(errno));
	log_msg(LOG_INFO, "running as user %s (uid %u gid %u)%s", cfg->user, (unsigned)cfg->uid,
		(unsigned)cfg->gid,
		keep != 0 ? "; the dataplane's thread keeps what DPDK needs at exit" : "");
	return SANDNS_EOK;
}
