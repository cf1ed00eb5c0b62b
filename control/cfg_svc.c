/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg_svc.c: the service keys (user, pid-file) and --check-config's look at the files named */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cfg_pvt.h"
#include "rfile.h"
#include "sandns_err.h"

/* NAME as an account (getpwnam), or a number; false when there is none. */
/* NAME as a number below MAX into *N: decimal digits only (no sign, space or overflow). */
static bool cfg_numeric_id(const char *name, unsigned long max, unsigned long *n)
{
	char *end;

	if (*name < '0' || *name > '9')
		return false;
	errno = 0;
	*n = strtoul(name, &end, 10);
	return errno == 0 && *end == '\0' && *n < max;
}

static bool cfg_lookup_user(const char *name, uid_t *uid, gid_t *gid)
{
	const struct passwd *pw = getpwnam(name);
	unsigned long n;

	if (pw != NULL) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return true;
	}
	if (!cfg_numeric_id(name, (uid_t)-1, &n))
		return false;
	pw = getpwuid((uid_t)n);
	*uid = (uid_t)n;
	*gid = pw != NULL ? pw->pw_gid : (gid_t)n;
	return true;
}

int cfg_set_user(cfg_t *cfg, const char *key, const char *value, char *err, size_t errlen)
{
	char *copy = strdup(value), *group;
	const struct group *gr;
	uid_t uid;
	gid_t gid;
	int rc = SANDNS_ECONFIG;

	if (copy == NULL)
		return cfg_fail(err, errlen, "%s: out of memory", key);
	group = strchr(copy, ':');
	if (group != NULL)
		*group++ = '\0';
	if (!cfg_lookup_user(copy, &uid, &gid)) {
		cfg_fail(err, errlen,
			 "%s: no user '%s' on this system (add it, e.g. with the "
			 "sysusers.d file sandns installs)",
			 key, copy);
		goto out;
	}
	if (uid == 0) {
		cfg_fail(err, errlen, "%s: '%s' is root: leave the key out to stay root", key,
			 copy);
		goto out;
	}
	if (group != NULL) {
		unsigned long n;

		gr = getgrnam(group);
		if (gr != NULL)
			gid = gr->gr_gid;
		else if (cfg_numeric_id(group, (gid_t)-1, &n))
			gid = (gid_t)n;
		else {
			cfg_fail(err, errlen, "%s: no group '%s' on this system", key, group);
			goto out;
		}
	}
	free(cfg->user);
	cfg->user = strdup(value);
	if (cfg->user == NULL) {
		cfg_fail(err, errlen, "%s: out of memory", key);
		goto out;
	}
	cfg->uid = uid;
	cfg->gid = gid;
	rc = SANDNS_EOK;
out:
	free(copy);
	return rc;
}

int cfg_set_pid_file(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
		     char *err, size_t errlen)
{
	char *copy = cfg_abs_path(src->basedir, value);

	if (copy == NULL)
		return cfg_fail(err, errlen, "%s: out of memory", key);
	free(cfg->pid_file);
	cfg->pid_file = copy;
	return SANDNS_EOK;
}

/* PATH opens for reading and is a regular file: SANDNS_EOK, or -errno / -EISDIR-like with WHY. */
static int cfg_readable(const char *path, const char **why)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), e;

	if (fd < 0) {
		e = errno;
		*why = strerror(e);
		return -e;
	}
	e = fstat(fd, &st) != 0 ? errno : 0;
	close(fd);
	if (e != 0) {
		*why = strerror(e);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		return -EINVAL;
	}
	return SANDNS_EOK;
}

int cfg_check_cert_file(const char *key, const char *path, char *err, size_t errlen)
{
	const char *why;

	if (cfg_readable(path, &why) != SANDNS_EOK)
		return cfg_fail(err, errlen, "%s %s: cannot read it: %s", key, path, why);
	return SANDNS_EOK;
}

/*
 * The directory PATH is in (or PATH itself when DIR) exists: else an error naming key K (called
 * NAME), at AT (NULL: where K was set).
 */
static int cfg_dir_there(cfg_t *cfg, enum cfg_key k, const char *name, const char *at,
			 const char *path, bool dir)
{
	if (at == NULL)
		at = cfg->set_at[k] != NULL ? cfg->set_at[k] : name;
	char *copy = strdup(path), *slash;
	struct stat st;
	int rc = SANDNS_EOK;

	if (copy == NULL)
		return cfg_error(cfg, NULL, 0, "%s: %s %s: out of memory", at, name, path);
	slash = strrchr(copy, '/');
	if (!dir && slash != NULL)
		*(slash == copy ? slash + 1 : slash) = '\0';
	if (stat(copy, &st) != 0)
		rc = cfg_error(cfg, NULL, 0, "%s: %s %s: the directory %s: %s", at, name, path,
			       copy, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		rc = cfg_error(cfg, NULL, 0, "%s: %s %s: %s is not a directory", at, name, path,
			       copy);
	free(copy);
	return rc;
}

/*
 * A file sandnsd will create or append to at PATH (key K, called NAME, set at AT; NULL: where K
 * was set): its directory there, its name a name, and what is there already a regular file (the
 * start refuses a FIFO, a device, a socket or a directory, and would wait on none of them).
 */
static int cfg_file_there(cfg_t *cfg, enum cfg_key k, const char *name, const char *at,
			  const char *path)
{
	const char *base = strrchr(path, '/');
	struct stat st;

	if (at == NULL)
		at = cfg->set_at[k] != NULL ? cfg->set_at[k] : name;
	base = base != NULL ? base + 1 : path;
	if (strlen(base) > NAME_MAX)
		return cfg_error(cfg, NULL, 0, "%s: %s %s: a file name of at most %d octets", at,
				 name, path, NAME_MAX);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return cfg_error(cfg, NULL, 0, "%s: %s %s: not a regular file (%s)", at, name, path,
				 rfile_kind(st.st_mode));
	return cfg_dir_there(cfg, k, name, at, path, false);
}

/* The files the query log, the log targets and the pid file write: what would stop the start. */
static int cfg_files_there(cfg_t *cfg)
{
	int rc = SANDNS_EOK;

	if (cfg->dnstap != NULL && strncmp(cfg->dnstap, "unix:", 5) == 0) {
		const char *at =
		    cfg->set_at[CFG_K_DNSTAP] != NULL ? cfg->set_at[CFG_K_DNSTAP] : "dnstap";

		if (strlen(cfg->dnstap + 5) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			rc = cfg_error(
			    cfg, NULL, 0, "%s: dnstap %s: a socket path of at most %zu octets", at,
			    cfg->dnstap, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
	} else if (cfg->dnstap != NULL &&
		   cfg_file_there(cfg, CFG_K_DNSTAP, "dnstap", NULL, cfg->dnstap) != SANDNS_EOK) {
		rc = SANDNS_ECONFIG;
	}
	for (size_t i = 0; i < cfg->nlog_targets; i++)
		if (cfg->log_targets[i].path != NULL &&
		    cfg_file_there(cfg, CFG_K_LOG_TARGET, "log-target", cfg->log_targets[i].where,
				   cfg->log_targets[i].path) != SANDNS_EOK)
			rc = SANDNS_ECONFIG;
	if (cfg->pid_file != NULL &&
	    cfg_file_there(cfg, CFG_K_PID_FILE, "pid-file", NULL, cfg->pid_file) != SANDNS_EOK)
		rc = SANDNS_ECONFIG;
	return rc;
}

/* The line of an error "FILE:LINE: reason" (0 for none), and FILE's length in *NAMELEN. */
static unsigned long cfg_error_line(const char *e, size_t *namelen)
{
	for (const char *p = strchr(e, ':'); p != NULL; p = strchr(p + 1, ':')) {
		char *end;
		unsigned long n;

		if (p[1] < '0' || p[1] > '9')
			continue;
		n = strtoul(p + 1, &end, 10);
		if (*end == ':') {
			*namelen = (size_t)(p - e);
			return n;
		}
	}
	return 0;
}

/* Whether error A comes before B: the same file, an earlier line. */
static bool cfg_error_before(const char *a, const char *b)
{
	size_t la = 0, lb = 0;
	unsigned long na = cfg_error_line(a, &la), nb = cfg_error_line(b, &lb);

	return na != 0 && nb != 0 && la == lb && memcmp(a, b, la) == 0 && na < nb;
}

/* The errors of one file in the order of its lines (the files' checks come after the keys'). */
static void cfg_sort_errors(cfg_t *cfg)
{
	for (size_t i = 1; i < cfg->nerrors; i++) {
		char *e = cfg->errors[i];
		size_t j = i;

		while (j > 0 && cfg_error_before(e, cfg->errors[j - 1])) {
			cfg->errors[j] = cfg->errors[j - 1];
			j--;
		}
		cfg->errors[j] = e;
	}
}

int cfg_check_files(cfg_t *cfg)
{
	const char *why;
	int rc = SANDNS_EOK;

	for (size_t i = 0; i < cfg->nzones; i++) {
		const cfg_zone_t *z = &cfg->zones[i];
		const char *where = z->where != NULL ? z->where : "zone";
		const cfg_catalog_t *cat = cfg_catalog_find(cfg, z->origin);
		int e = cfg_readable(z->src.path, &why);

		/* A catalog sandns produces is made, never read. */
		if (cat != NULL && cat->producer)
			continue;

		/* A secondary zone's copy comes with its first transfer. */
		if (e == -ENOENT && z->src.kind == ZSRC_PRIMARY) {
			if (cfg_dir_there(cfg, CFG_K_ZONE, "zone", where, z->src.path, false) !=
			    SANDNS_EOK)
				rc = SANDNS_ECONFIG;
			continue;
		}
		if (e != SANDNS_EOK)
			rc = cfg_error(cfg, NULL, 0, "%s: zone %s: cannot read %s: %s", where,
				       z->origin, z->src.path, why);
	}
	/* sandnsd creates the state directory itself (mode 0700): its parent must be there. */
	{
		const char *dir = cfg->state_dir != NULL ? cfg->state_dir : CFG_STATE_DIR_DEFAULT;
		const char *at = cfg->set_at[CFG_K_STATE_DIR] != NULL ? cfg->set_at[CFG_K_STATE_DIR]
								      : "(default)";
		struct stat st;

		if (stat(dir, &st) == 0) {
			if (!S_ISDIR(st.st_mode))
				rc = cfg_error(cfg, NULL, 0, "%s: state-dir %s: not a directory",
					       at, dir);
		} else if (errno != ENOENT) {
			rc = cfg_error(cfg, NULL, 0, "%s: state-dir %s: %s", at, dir,
				       strerror(errno));
		} else if (cfg_dir_there(cfg, CFG_K_STATE_DIR, "state-dir", NULL, dir, false) !=
			   SANDNS_EOK) {
			rc = SANDNS_ECONFIG;
		}
	}
	if (cfg->control != NULL &&
	    cfg_dir_there(cfg, CFG_K_CONTROL, "control", NULL, cfg->control, false) != SANDNS_EOK)
		rc = SANDNS_ECONFIG;
	if (cfg->serial_state != NULL &&
	    cfg_dir_there(cfg, CFG_K_SERIAL_STATE, "serial-state", NULL, cfg->serial_state,
			  false) != SANDNS_EOK)
		rc = SANDNS_ECONFIG;
	if (cfg_files_there(cfg) != SANDNS_EOK)
		rc = SANDNS_ECONFIG;
	if (cfg_check_dnssec_files(cfg) != SANDNS_EOK)
		rc = SANDNS_ECONFIG;
	cfg_sort_errors(cfg);
	return rc;
}
