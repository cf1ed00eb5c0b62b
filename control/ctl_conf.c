/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_conf.c: the configuration read again for `reload` and SIGHUP, as sandnsd's command line says
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "ctl_pvt.h"
#include "sandns_err.h"

int ctl_set_args(ctl_t *ctl, int argc, char *const argv[])
{
	char **v = calloc((size_t)argc + 1, sizeof(*v));
	bool config_next = false;

	if (v == NULL)
		return -ENOMEM;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *path = NULL;
		const bool separate = config_next;
		char abs[PATH_MAX];

		if (strcmp(a, "--") == 0) {
			for (; i < argc; i++)
				if ((v[i] = strdup(argv[i])) == NULL)
					goto nomem;
			break;
		}
		if (config_next)
			path = a;
		else if (strncmp(a, "--config=", 9) == 0)
			path = a + 9;
		config_next = strcmp(a, "--config") == 0;
		if (path != NULL) {
			ctl->has_config = true;
			/* sandnsd leaves its directory when it goes to the background. */
			if (path[0] != '/' && realpath(path, abs) != NULL)
				path = abs;
			if (asprintf(&v[i], "%s%s", separate ? "" : "--config=", path) < 0) {
				v[i] = NULL;
				goto nomem;
			}
			continue;
		}
		if ((v[i] = strdup(a)) == NULL)
			goto nomem;
	}
	ctl->argv = v;
	ctl->argc = argc;
	return SANDNS_EOK;
nomem:
	for (int i = 0; i < argc; i++)
		free(v[i]);
	free(v);
	return -ENOMEM;
}

cfg_t *ctl_conf_read(ctl_t *ctl, char *warn, size_t wlen, char *err, size_t errlen)
{
	cfg_t *next;
	size_t nwarn = 0;

	if (wlen > 0)
		warn[0] = '\0';
	if (errlen > 0)
		err[0] = '\0';
	if (ctl->argv == NULL || !ctl->has_config)
		return NULL;
	next = cfg_new();
	if (next == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* The first error is the one said: "FILE:LINE: reason", as sandnsd says it at start. */
	/* The members the consumer catalogs gave stay (the catalogs say when they go). */
	if (cfg_load_args(next, ctl->argc, ctl->argv, err, errlen) != SANDNS_EOK ||
	    ctl_catz_carry(ctl->cfg, next, NULL) != SANDNS_EOK ||
	    cfg_check(next, err, errlen) != SANDNS_EOK) {
		if (next->nerrors > 0)
			snprintf(err, errlen, "%s", next->errors[0]);
		if (err[0] == '\0')
			snprintf(err, errlen, "the configuration does not check");
		cfg_free(&next);
		return NULL;
	}
	if (cfg_keep_static(next, ctl->cfg, warn, wlen, &nwarn) != SANDNS_EOK) {
		snprintf(err, errlen, "out of memory");
		cfg_free(&next);
		return NULL;
	}
	/* Nothing that runs changes (the zone files may have): no switch, a reload as before;
	 * WARN still says what would need a restart. */
	if (cfg_same_running(next, ctl->cfg))
		cfg_free(&next);
	return next;
}
