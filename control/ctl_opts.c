/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_opts.c: a snapshot's options from the configuration, the cookie secret drawn once a process
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>

#include "cfg.h"
#include "ctl.h"

/* The cookie secret when the configuration gives none: drawn once a process, so that a reload
 * keeps the cookies clients hold valid. */
static uint8_t cookie_secret[16];

static void cookie_secret_draw(void)
{
	size_t got = 0;

	while (got < sizeof(cookie_secret)) {
		ssize_t n = getrandom(cookie_secret + got, sizeof(cookie_secret) - got, 0);

		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			abort(); /* no randomness at all: no secret worth the name */
	}
}

/* The secret the snapshot's DNS cookies are made with, or NULL with cookies off. */
static const uint8_t *cookie_secret_of(const cfg_t *cfg)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (!cfg->cookies)
		return NULL;
	if (cfg->cookie_secret_set)
		return cfg->cookie_secret;
	pthread_once(&once, cookie_secret_draw);
	return cookie_secret;
}

void ctl_build_opts(const cfg_t *cfg, zt_opts_t *opts)
{
	*opts = (zt_opts_t){
	    .udp_max_payload = cfg->udp_max_payload,
	    .identity = cfg->identity,
	    .version = cfg->version,
	    .nsid = cfg->nsid,
	    .nsid_len = cfg->nsid_len,
	    .cookie_secret = cookie_secret_of(cfg),
	};
}
