/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg.h: sandnsd configuration, read from a file and from the command line */
#ifndef CFG_H
#define CFG_H

/*
 * The configuration file (sandnsd --config FILE)
 *
 * One setting per line: a key, white space, then the value, which runs to the end of the line
 * (white space around it dropped; a value in double quotes loses the quotes). A '#' at the start
 * of a line or after white space, outside double quotes, begins a comment. Blank lines are
 * ignored. Keys marked (+) may be repeated and add up; the others may appear once per file.
 * Relative paths are taken relative to the directory that holds the configuration file.
 *
 * Every key is also a command-line option, --KEY VALUE or --KEY=VALUE (the key `version` is
 * --server-version there, since --version prints sandnsd's own version). Command-line values
 * add to the file's for (+) keys and override the file's for the others.
 *
 *   zone ORIGIN FILE           (+) serve zone ORIGIN from the master file FILE (also ORIGIN=FILE;
 *                                  on the command line --zone ORIGIN=FILE). At least one is needed.
 *   listen ADDR[@PORT]         (+) address for UDP and TCP: 127.0.0.1@5353, ::1@5353, [::1]:5353,
 *                                  192.0.2.1:5353; port 53 when omitted.
 *                                  Default: 127.0.0.1@53 and ::1@53.
 *   io socket|dpdk                 how queries are received: socket (kernel sockets, the default)
 *                                  or dpdk (poll-mode ports given by the EAL arguments; needs
 *                                  listen addresses, all on one port, and eal-args).
 *   allow-transfer PREFIX [key NAME]
 *                              (+) clients allowed to transfer zones (AXFR and IXFR over TCP, IXFR
 *                                  over UDP): 127.0.0.0/8, ::1/128 or one address (192.0.2.1).
 *                                  With a key, only requests from PREFIX signed with it (TSIG);
 *                                  without, any request from PREFIX (signed ones must verify).
 *                                  Default: nobody.
 *   allow-notify PREFIX [key NAME] (+) who may send NOTIFY, as allow-transfer. Default: nobody.
 *   key NAME ALGORITHM SECRET  (+) a TSIG key (RFC 8945): ALGORITHM hmac-sha256, hmac-sha384,
 *                                  hmac-sha512 or hmac-sha1, SECRET in base64. Prefer key-file:
 *                                  a secret on the command line shows in ps.
 *   key-file FILE              (+) TSIG keys in the format BIND's tsig-keygen writes:
 *                                  key "NAME" { algorithm hmac-sha256; secret "BASE64"; };
 *                                  No key name twice, and every key an ACL names defined.
 *                                  Secrets never appear in logs, status or error messages.
 *   notify ORIGIN ADDR[@PORT] [key NAME]
 *                              (+) send NOTIFY (RFC 1996) for zone ORIGIN (a configured zone) to
 *                                  the secondary ADDR (port 53 when omitted) whenever the serial
 *                                  ORIGIN serves changes, and once at start. key NAME: sign it
 *                                  with TSIG key NAME. Default: none.
 *   cert SOURCE                (+) certificate for the autodiscover policy: a PEM (leaf first,
 *                                  chain after) or DER file, or tls://HOST[:PORT][@ADDR], the
 *                                  leaf that endpoint presents for SNI HOST. None: policy off.
 *   srv-target NAME                the SRV target the policy publishes (default: derived from
 *                                  the certificates' SANs, docs/autodiscover-policy.md step 4).
 *   legacy-cn-fallback yes|no      let a certificate's subject CN count (default no).
 *   cert-probe-interval SECONDS    re-probe tls:// sources this often, 0..86400 (default 300;
 *                                  0: only on `policy reload`); a decision flips only after two
 *                                  probes agree.
 *   watch yes|no                   reload a zone or the certificates when their files change
 *                                  (inotify on their directories; default no).
 *   keep-zones auto|yes|no         keep the zones as read in memory beside the snapshot, for
 *                                  `reload ZONE`, `policy reload` and `explain` (no: they read
 *                                  the zone files again). auto (default): yes up to 250,000
 *                                  records in all; a large zone then costs its snapshot only.
 *   zone-max-size SIZE             the largest text of one zone, its file and every $INCLUDE
 *                                  together, K, M, G or T, 4096..1T (default 1G); bounded by the
 *                                  octets actually read.
 *   state-dir DIR                  what sandnsd keeps across restarts: the serials served and
 *                                  each zone's IXFR journal (default /var/lib/sandns, set when
 *                                  building: meson -Dstate_dir). Created mode 0700 at start when
 *                                  missing; sandnsd refuses to start when it cannot write there.
 *   serial-state FILE              remember the serials served in FILE rather than in
 *                                  state-dir's "serials" (a raised serial never goes back).
 *   ixfr-max-size SIZE             octets of IXFR history kept per zone, in memory and in its
 *                                  journal, K, M or G (default 100M, as Knot's journal); the
 *                                  oldest changes go first; a client older than what is kept
 *                                  gets the zone AXFR-style.
 *   ixfr-max-depth N               changesets kept per zone, 1..100000 (default 20).
 *   dnstap FILE|unix:PATH          the query log in dnstap: every query and its response (a
 *                                  transfer: its query), UDP and TCP, socket and DPDK modes,
 *                                  written to FILE (created or truncated at start) or to a
 *                                  reader's unix socket by a thread of its own; what it cannot
 *                                  keep up with is dropped and counted (stats). Default: none.
 *   dnstap-log-queries yes|no      the query log's AUTH_QUERY messages (default yes), as Knot's
 *                                  mod-dnstap log-queries.
 *   dnstap-log-responses yes|no    its AUTH_RESPONSE messages (default yes): log-responses.
 *   control PATH                   Unix socket for sandnsctl, created mode 0600. Default: none.
 *   metrics ADDR@PORT              serve Prometheus text on http://ADDR:PORT/metrics (its own
 *                                  thread, libmicrohttpd; port required). Default: off.
 *   foreground yes|no              stay in the foreground and log to stderr (default no: fork
 *                                  into the background and log to syslog).
 *   log-target stderr|syslog|FILE [level LEVEL]
 *                              (+) where messages go: stderr, syslog (LOG_DAEMON to /dev/log,
 *                                  which journald reads; unreachable: stderr, said once) or FILE
 *                                  (appended to, "TIMESTAMP LEVEL: MESSAGE" lines; opened again
 *                                  on SIGUSR1 and `sandnsctl log-reopen`, for logrotate), each at
 *                                  its own LEVEL or log-level's. Several at once; at most 8.
 *                                  Default: stderr in the foreground, syslog in the background.
 *   log-level error|warning|notice|info|debug
 *                                  the level of targets given without one (default info).
 *   user USER[:GROUP]              once every socket is bound, become USER (names or numbers;
 *                                  the account must exist, root is refused): the state-dir, its
 *                                  files, serial-state and the control socket are given to it;
 *                                  io socket keeps no capability, io dpdk keeps in its main
 *                                  thread what the PMDs need at exit (svc.h). Default: stay.
 *   pid-file FILE                  write the pid to FILE, locked while running, removed at exit;
 *                                  a second sandnsd with it refuses to start. Default: none.
 *   udp-max-payload N              largest UDP response when EDNS allows more than 512,
 *                                  512..65535 (default 1232).
 *   identity NAME                  CHAOS TXT answer for id.server. and hostname.bind.
 *                                  (default: those queries are REFUSED).
 *   version TEXT                   CHAOS TXT answer for version.server. and version.bind.
 *                                  (default: REFUSED).
 *   nsid TEXT | nsid 0xHEX         NSID (RFC 5001) in the answer to a query with an NSID
 *                                  option, at most 128 octets (default: none).
 *   cookies yes|no                 DNS cookies (RFC 7873, RFC 9018 server cookies) as Knot's
 *                                  mod-cookies: over UDP a query without our valid server
 *                                  cookie gets BADCOOKIE with a fresh one (default no, as Knot
 *                                  3.2 without the module: cookie options ignored).
 *   cookie-secret HEX              the cookies' SipHash key, 32 hex digits: the same on every
 *                                  server of an anycast fleet (default: random at start).
 *   tcp-idle-timeout SECONDS       close a TCP connection idle this long, 1..3600 (default 10).
 *   tcp-io-timeout MS              milliseconds one TCP message may take to arrive whole once
 *                                  it started, 100..60000 (default 1000); then the connection goes.
 *   tcp-max-clients N              concurrent TCP connections, 1..65536 (default 256); at the cap
 *                                  the longest-idle connection is closed, else the new one;
 *                                  up to ~192 KiB of buffers each.
 *   transfers-out N                zone transfers (AXFR, IXFR) served at once, 1..1024
 *                                  (default 10, as BIND); more are REFUSED, counted
 *                                  (xfr-refused) and logged; each is a TCP client too.
 *   udp-workers N                  UDP threads, each with its own socket per address, 1..64
 *                                  (default 1).
 *   rate-limit N                   response rate limiting: UDP answers a second per client
 *                                  network and answer, 0..1000000 (default 0: off).
 *   rate-limit-slip N              every Nth limited answer goes out truncated, 0..100 (default 2).
 *   rate-limit-table-size N        buckets per answering thread, 64..16777216 (default 65536);
 *                                  24 octets each, all threads' tables at most 1 GiB together.
 *   rate-limit-ipv4-prefix BITS    a client's network: 8..32 (default 24)
 *   rate-limit-ipv6-prefix BITS    and 16..128 (default 56).
 *   primary ORIGIN ADDR[@PORT] [key NAME]
 *                              (+) zone ORIGIN is a secondary zone transferred from the primary
 *                                  at ADDR (port 53 when omitted); several lines: tried in
 *                                  order. A `zone ORIGIN FILE` line is needed too: FILE is where
 *                                  the transferred copy is kept (loaded at start if present).
 *                                  key NAME: requests signed, answers verified (TSIG).
 *                                  Refresh, retry and expire come from the zone's SOA
 *                                  (docs/configuration.md).
 *   dnssec ORIGIN nsec|nsec3   (+) sandns signs zone ORIGIN (a configured zone) with the default
 *                                  policy: a CSK of algorithm 13, NSEC or NSEC3 (RFC 9276: no
 *                                  extra iterations, no salt), rrsig-lifetime 14d, rrsig-refresh
 *                                  7d, rrsig-jitter 84h.
 *   dnssec-signing ORIGIN [policy NAME]
 *                              (+) sandns signs zone ORIGIN with dnssec-policy NAME (or the
 *                                  default).
 *   dnssec-policy NAME [algorithm ecdsap256sha256|ed25519] [single-type-signing yes|no]
 *                  [nsec3 yes|no] [rrsig-lifetime TIME] [rrsig-refresh TIME]
 *                  [rrsig-jitter TIME|0]
 *                              (+) a signing policy (Knot's policy keys); TIME: seconds, or with
 *                                  s, m, h, d or w; the refresh shorter than the lifetime; the
 *                                  jitter (expirations spread over it; default half of lifetime
 *                                  - refresh) shorter than lifetime - refresh.
 *   dnssec-key-dir DIR             the signing keys, BIND K*.key/.private pairs, made there when
 *                                  missing (default: state-dir's "keys"; docs/configuration.md).
 *   catalog ORIGIN consumer [max-members N]
 *                              (+) zone ORIGIN, a secondary zone (zone and primary lines), is a
 *                                  catalog zone (RFC 9432, version 2): each member it lists
 *                                  becomes a secondary zone of the same primaries (same keys),
 *                                  its copy in state-dir's catalog/ directory; members come and
 *                                  go with the catalog's transfers, at run time. At most N
 *                                  members (default 10000; 1..1000000), the first listed.
 *   catalog ORIGIN producer    (+) sandns makes zone ORIGIN (its zone line's FILE is not read)
 *                                  a catalog of every other zone it serves, at each publish.
 *   eal-args ARG...            (+) DPDK EAL arguments, split at white space (command line: after
 *                                  --); only with io dpdk.
 *
 * Example:
 *   # /etc/sandns/sandns.conf
 *   zone example.com.  /etc/sandns/example.com.zone
 *   zone example.net.  example.net.zone       # relative to /etc/sandns/
 *   listen 127.0.0.1@5353
 *   listen ::1@5353
 *   allow-transfer 127.0.0.0/8
 *   control /run/sandns/sandnsd.sock       # sandnsctl's default
 *   state-dir /var/lib/sandns                 # the default
 *   identity ns1.example.com
 *
 * Errors name the file and line and say what to fix:
 *   sandns.conf:3: listen: port 70000 is out of range (1..65535)
 * Reading goes on after an error: every one is kept (cfg_t.errors). sandnsd prints them all and
 * exits with status 2 before it serves anything; `sandnsd --check-config` prints them (with what
 * cfg_check_files() finds) and serves nothing.
 */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "rrl.h"
#include "sign.h"
#include "tsig.h"
#include "zsrc.h"

/* Longest text of an address with its port: "[ffff:...:ffff%ifname]@65535". */
#define CFG_ADDR_TEXT 72
/* Addresses per family the dataplane serves (dataplane/dp_pkt.h DP_MAX_ADDRS). */
#define CFG_DPDK_MAX_ADDRS 8

enum cfg_io { CFG_IO_SOCKET = 0, CFG_IO_DPDK = 1 };

/* At least the number of configuration keys (cfg_pvt.h checks it). */
#define CFG_KEYS_MAX 64

/* The default state-dir, chosen when sandns is built (meson option state_dir). */
#ifdef SANDNS_STATE_DIR
#define CFG_STATE_DIR_DEFAULT SANDNS_STATE_DIR
#else
#define CFG_STATE_DIR_DEFAULT "/var/lib/sandns"
#endif
/* The IXFR history kept per zone, by default as Knot's journal: 100 MiB, 20 changesets. */
#define CFG_IXFR_MAX_SIZE ((uint64_t)100 << 20)
#define CFG_IXFR_MAX_DEPTH 20

typedef struct cfg_zone {
	char *origin;  /* as written ("example.com." or "example.com") */
	zsrc_t src;    /* where it comes from: `zone ORIGIN FILE` gives a file (absolute path) */
	char *where;   /* "FILE:LINE" or "--zone", for messages (NULL: unknown) */
	char *catalog; /* a member of this consumer catalog (cfg_add_member), or NULL */
	char *catalog_label; /* the unique label the catalog lists it under (with CATALOG) */
	char *catalog_coo;   /* the catalog CATALOG's coo property hands it over to, or NULL */
} cfg_zone_t;

/* `catalog ORIGIN consumer|producer`: ORIGIN (a configured zone) is a catalog (RFC 9432). */
typedef struct cfg_catalog {
	char *origin;	    /* as written */
	bool producer;	    /* false: consumer (its members become secondary zones) */
	char *where;	    /* "FILE:LINE" or "--catalog", for messages */
	size_t max_members; /* a consumer adds at most these (CATZ_MAX_MEMBERS_DEFAULT) */
} cfg_catalog_t;

typedef struct cfg_addr {
	struct sockaddr_storage ss; /* with the port set */
	socklen_t len;
	bool is_default;	  /* not asked for: may be skipped when its family is unavailable */
	char text[CFG_ADDR_TEXT]; /* "127.0.0.1@53", "::1@53" */
} cfg_addr_t;

/* `notify ORIGIN ADDR[@PORT] [key NAME]`: a secondary told when zone ORIGIN changes. */
typedef struct cfg_notify {
	char *origin;	 /* as written; cfg_check makes sure it is a configured zone */
	cfg_addr_t addr; /* the secondary */
	char *key;	 /* TSIG key name, or NULL: unsigned */
	char *where;	 /* "FILE:LINE" or "--notify", for messages */
} cfg_notify_t;

typedef struct cfg_prefix {
	int family;		  /* AF_INET or AF_INET6 */
	unsigned bits;		  /* prefix length */
	uint8_t addr[16];	  /* network order, host bits cleared */
	char text[CFG_ADDR_TEXT]; /* "127.0.0.0/8" */
} cfg_prefix_t;

/* One line of an access list: a prefix and, optionally, the TSIG key requests must be signed with.
 */
typedef struct cfg_acl {
	cfg_prefix_t prefix;
	char key[256];	 /* the key's name as written; "" for none */
	int key_idx;	 /* cfg->keys[key_idx] once cfg_check() has run; -1 for none */
	char where[128]; /* "sandns.conf:7" or "--allow-transfer", for messages */
} cfg_acl_t;

/* `primary ORIGIN ADDR[@PORT] [key NAME]`: zone ORIGIN is transferred from ADDR. */
/* `log-target stderr|syslog|FILE [level LEVEL]`. */
typedef struct cfg_log_target {
	int kind;    /* enum log_kind (log.h) */
	char *path;  /* FILE, absolute; NULL for stderr and syslog */
	int level;   /* a syslog priority (LOG_ERR..LOG_DEBUG); -1: log-level's */
	char *where; /* "FILE:LINE" or "--log-target", for errors */
} cfg_log_target_t;

typedef struct cfg_primary {
	char *origin;		/* as written */
	cfg_addr_t addr;	/* with its port (53 when omitted) */
	char *key;		/* the TSIG key's name, or NULL */
	const tsig_key_t *tkey; /* that key, found by cfg_check() (cfg->keys) */
	char where[128];	/* "sandns.conf:7" or "--primary", for messages */
} cfg_primary_t;

/* `dnssec-policy NAME ...`: how the zones that name it are signed. */
typedef struct cfg_dnssec_policy {
	char *name;
	sign_params_t params;
	char *where; /* "FILE:LINE" or "--dnssec-policy" */
} cfg_dnssec_policy_t;

/* `dnssec-signing ORIGIN [policy NAME]` or `dnssec ORIGIN nsec|nsec3`: sandns signs ORIGIN. */
typedef struct cfg_signing {
	char *origin;	      /* as written; cfg_check makes sure it is a configured zone */
	char *policy;	      /* a dnssec-policy's name, or NULL: the default policy */
	int nsec3;	      /* `dnssec` line: 1 nsec3, 0 nsec; -1: the policy's */
	sign_params_t params; /* the policy's, set by cfg_check */
	char *where;	      /* "FILE:LINE" or "--dnssec-signing", for messages */
} cfg_signing_t;

/* The key directory under state-dir when dnssec-key-dir gives none. */
#define CFG_KEY_DIR_NAME "keys"

/* Whether the zones as read stay in memory beside the compiled snapshot (keep-zones). */
enum cfg_keep {
	CFG_KEEP_AUTO = 0, /* yes up to CFG_KEEP_AUTO_RECORDS records in all, no above */
	CFG_KEEP_YES,
	CFG_KEEP_NO,
};
#define CFG_KEEP_AUTO_RECORDS 250000

/*
 * The whole configuration. Filled by cfg_load_*(), completed by cfg_check(), then only read
 * (by every thread: it never changes while sandnsd serves). `reload` and SIGHUP read a new one
 * and switch every thread to it as a whole (docs/design.md, "Configuration reload"); the one
 * replaced is freed once no thread can read it. A plain struct rather than an opaque one: it is
 * data that the server and control modules read field by field.
 */
typedef struct cfg {
	cfg_zone_t *zones;
	size_t nzones;
	/* zones by origin (cfg_zone_index(), made once the list is checked): for the
	 * ZONE_INDEX_N zones at ZONE_INDEX_OF; a list changed since is walked (cfg_zone_find) */
	struct origins *zone_index;
	const char **zone_index_names;
	const cfg_zone_t *zone_index_of;
	size_t zone_index_n;
	cfg_addr_t *listens;
	size_t nlistens;
	cfg_acl_t *xfr_acl; /* allow-transfer */
	size_t nxfr_acl;
	cfg_notify_t *notifies;
	size_t nnotifies;
	cfg_acl_t *notify_acl; /* allow-notify */
	size_t nnotify_acl;
	tsig_key_t *keys; /* key and key-file, in order; never printed */
	size_t nkeys;
	char **key_where; /* where each key was defined ("sandns.conf:3"), for messages */
	char **certs;
	size_t ncerts;
	char **eal_args;
	size_t neal_args;
	cfg_primary_t *primaries; /* in the order given: a zone's are tried in that order */
	size_t nprimaries;
	/* the primaries by origin, the first of each zone's (its next: primary_next[i]), for the
	 * NPRIMARY_INDEX at PRIMARY_INDEX_OF (cfg_primary_index()) */
	struct origins *primary_index;
	const char **primary_index_names;
	size_t *primary_next; /* per primary line, the next one of the same zone, or SIZE_MAX */
	const cfg_primary_t *primary_index_of;
	size_t primary_index_n;
	cfg_signing_t *signings; /* zones sandns signs (dnssec, dnssec-signing) */
	size_t nsignings;
	cfg_dnssec_policy_t *dnssec_policies;
	size_t ndnssec_policies;
	char *key_dir; /* dnssec-key-dir, absolute; NULL: state-dir's "keys" */
	cfg_catalog_t *catalogs;
	size_t ncatalogs;
	/*
	 * The configuration file's text as read (NULL: none), and, when REUSE_TEXT is set before
	 * cfg_load_args(), the text read in place of the file (a catalog's members change: the
	 * configuration is made again from what was read, never from a file edited meanwhile).
	 */
	char *text;
	const char *reuse_text;

	enum cfg_io io;
	char *control; /* absolute path of the control socket, or NULL */
	/* Where /metrics is served, when has_metrics. */
	cfg_addr_t metrics;
	bool has_metrics;
	bool foreground;
	uint16_t udp_max_payload;
	char *identity; /* or NULL */
	char *version;	/* or NULL */
	uint8_t *nsid;	/* NSID answered (RFC 5001), or NULL */
	size_t nsid_len;
	bool cookies;		   /* DNS cookies (RFC 7873, 9018) answered */
	bool cookie_secret_set;	   /* cookie_secret given; else random at start */
	uint8_t cookie_secret[16]; /* never printed */
	unsigned tcp_idle_timeout; /* seconds */
	unsigned tcp_io_timeout;   /* milliseconds for one message to arrive whole */
	unsigned tcp_max_clients;
	unsigned transfers_out; /* zone transfers served at once; more are REFUSED */
	unsigned udp_workers;
	char *srv_target;	      /* the operator's SRV target for the policy, or NULL */
	bool legacy_cn_fallback;      /* a certificate's CN counts when it has no dNSName SAN */
	unsigned cert_probe_interval; /* seconds between probes of tls:// sources; 0: never */
	bool watch;		      /* reload zone and certificate files when they change */
	enum cfg_keep keep_zones;     /* keep the zones as read, beside the snapshot */
	char *serial_state;	      /* file remembering the serials served, or NULL */
	char *dnstap;		      /* the query log: a file, "unix:PATH", or NULL: none */
	bool dnstap_log_queries;      /* its AUTH_QUERY messages (default yes) */
	bool dnstap_log_responses;    /* its AUTH_RESPONSE messages (default yes) */
	/*
	 * Where the serials served and the IXFR journals live. NULL: none (cfg_new() sets no
	 * default, so that a configuration read in a test writes nothing; sandnsd puts
	 * CFG_STATE_DIR_DEFAULT here, creates the directory and refuses to start without it).
	 */
	char *state_dir;
	uint64_t ixfr_max_size;	 /* octets of changesets kept per zone (ixfr-max-size) */
	unsigned ixfr_max_depth; /* changesets kept per zone (ixfr-max-depth) */
	uint64_t zone_max_size;	 /* octets of one zone's text (file + $INCLUDEs); 0: default */
	rrl_cfg_t rrl;		 /* response rate limiting on UDP; off while rrl.rate is 0 */
	cfg_log_target_t
	    *log_targets; /* none: stderr in the foreground, syslog in the background */
	size_t nlog_targets;
	int log_level; /* log-level: a syslog priority, LOG_INFO by default */

	char *user; /* `user USER[:GROUP]` as written, or NULL: stay who we are */
	uid_t uid;  /* ... that account's, resolved when read */
	gid_t gid;
	char *pid_file; /* absolute path, or NULL */
	/* Where each key (cfg_pvt.h's enum cfg_key) was last set: "FILE:LINE", "--KEY" or NULL. */
	char *set_at[CFG_KEYS_MAX];

	/*
	 * Every error met while reading and checking (each "FILE:LINE: reason", or "--KEY:
	 * reason"), the first CFG_ERRORS_MAX of them; nerrors_more counts those left out.
	 * The err argument of the functions below holds the first one.
	 */
	char **errors;
	size_t nerrors;
	size_t nerrors_more;
	size_t errors_mark; /* the count when the current call began: its first goes into err */

	bool show_help;	   /* --help was given: print usage, serve nothing */
	bool show_version; /* --version was given */
	bool check_config; /* --check-config: check every file named, serve nothing */
	char *check_zone;  /* --check-zone ORIGIN=FILE: check that zone (zcheck.c), serve nothing */
} cfg_t;

/* cfg_dnssec.c: how zone ORIGIN is signed, or NULL: sandns does not sign it. */
const cfg_signing_t *cfg_signing_of(const cfg_t *cfg, const char *origin);
/* cfg_dnssec.c: the key directory (dnssec-key-dir, else state-dir's "keys" in BUF), or NULL. */
const char *cfg_key_dir(const cfg_t *cfg, char *buf, size_t len);

/* cfg_opts.c: where the configuration line KEY (as a file names it, e.g. "dnstap") was last
 * set, for a message: "FILE:LINE" or "--KEY"; KEY itself when it was not set or is no such line. */
const char *cfg_set_where(const cfg_t *cfg, const char *key);

/* cfg_dnssec.c: the policy of zones given no dnssec-policy: a CSK of algorithm 13, NSEC, 14
 * days' signatures renewed 7 days before they expire. */
extern const sign_params_t cfg_dnssec_default;

/* The errors kept for --check-config (see cfg_t.errors). */
#define CFG_ERRORS_MAX 100

/* A configuration with every default set and nothing to serve yet; NULL without memory. */
cfg_t *cfg_new(void);

/* Frees *cfg (NULL is fine) and leaves NULL behind. */
void cfg_free(cfg_t **cfg);

/*
 * Reads configuration text; NAME stands for the file in messages ("NAME:LINE: reason") and
 * relative paths are taken relative to BASEDIR (NULL: the current directory).
 * Returns SANDNS_EOK or SANDNS_ECONFIG with the message in err.
 */
int cfg_load_string(cfg_t *cfg, const char *text, const char *name, const char *basedir, char *err,
		    size_t errlen);

/* Reads the configuration file PATH, as cfg_load_string(). */
int cfg_load_file(cfg_t *cfg, const char *path, char *err, size_t errlen);

/*
 * Reads sandnsd's command line (argv[0] is the program): first the file given with --config,
 * then every option over it; what follows "--" becomes EAL arguments. --help and --version
 * only set show_help/show_version. Returns SANDNS_EOK or SANDNS_ECONFIG with the message in err.
 */
int cfg_load_args(cfg_t *cfg, int argc, char *const argv[], char *err, size_t errlen);

/*
 * Completes and checks the configuration once everything is read: the default listen
 * addresses, at least one zone, no zone or address twice, EAL arguments only with dpdk, notify
 * only for configured zones (the same zone and secondary twice is kept once).
 * Returns SANDNS_EOK or SANDNS_ECONFIG with what to fix in err.
 */
int cfg_check(cfg_t *cfg, char *err, size_t errlen);

/*
 * --check-config, after cfg_check(): what sandnsd would read at start, without reading it
 * whole: every zone file (a secondary zone's may be missing) and certificate file readable
 * and regular, and the directories of state-dir, pid-file, control and serial-state there.
 * Each problem is added to cfg->errors, whose errors of one file are then put in the order of
 * their lines; SANDNS_EOK when there was none.
 */
int cfg_check_files(cfg_t *cfg);

/*
 * Parses "ADDR", "ADDR@PORT", "[ADDR]:PORT" or "IPV4:PORT" (numeric addresses only; the
 * port defaults to 53). Returns SANDNS_EOK or SANDNS_ECONFIG with the reason in err.
 */
int cfg_parse_addr(const char *text, cfg_addr_t *out, char *err, size_t errlen);

/* Parses "ADDR/BITS" or a single "ADDR" (all bits). Host bits are cleared. As above. */
int cfg_parse_prefix(const char *text, cfg_prefix_t *out, char *err, size_t errlen);

/* Whether SA (IPv4, IPv6 or IPv4-mapped IPv6) lies inside prefix P. */
bool cfg_prefix_match(const cfg_prefix_t *p, const struct sockaddr *sa);

/*
 * Whether the client SA may transfer zones: one allow-transfer line matches its address, and
 * either names no key or names KEY, the key its request was signed with (verified; NULL for an
 * unsigned request).
 */
bool cfg_xfr_allowed(const cfg_t *cfg, const struct sockaddr *sa, const tsig_key_t *key);

/* The same for NOTIFY from SA (allow-notify). */
bool cfg_notify_allowed(const cfg_t *cfg, const struct sockaddr *sa, const tsig_key_t *key);

/*
 * With io dpdk, the addresses our own requests (NOTIFY, SOA queries, transfers) leave from: the
 * first listen address of each family, port 0 (the host routes to the peers only what leaves
 * from the dataplane's addresses, through the TAP). Family 0: none (always so with sockets).
 */
void cfg_dpdk_sources(const cfg_t *cfg, struct sockaddr_storage *src4,
		      struct sockaddr_storage *src6);

/* Whether two origins name the same zone: case, escapes and the final dot do not matter. */
bool cfg_same_origin(const char *a, const char *b);

/*
 * cfg_find.c: the index of the zone whose origin is ORIGIN (cfg_same_origin()), or -1: at once
 * once cfg_zone_index() has indexed the list (cfg_check() does), else one pass.
 */
long cfg_zone_find(const cfg_t *cfg, const char *origin);

/* Indexes CFG's zones by origin (the first of any that repeat); 0 or -ENOMEM (walked then). */
int cfg_zone_index(cfg_t *cfg);
void cfg_zone_index_free(cfg_t *cfg);

/* Indexes CFG's primary lines by origin and links each zone's in order; 0 or -ENOMEM. */
int cfg_primary_index(cfg_t *cfg);
void cfg_primary_index_free(cfg_t *cfg);

/* The first primary line of zone ORIGIN (its next: primary_next), or SIZE_MAX. */
size_t cfg_primary_first(const cfg_t *cfg, const char *origin);

/* The key named NAME ("xfr" or "xfr."), or NULL: for `notify ORIGIN ADDR key NAME` and the like. */
const tsig_key_t *cfg_key_find(const cfg_t *cfg, const char *name);

/* The primaries of configured zone ZONE (an index), in order: up to MAX into OUT; how many. */
size_t cfg_zone_primaries(const cfg_t *cfg, size_t zone, const cfg_primary_t **out, size_t max);

/*
 * cfg_log.c: the log as CFG says (its targets and level), from now on; BACKGROUND: sandnsd will
 * fork, so messages go to stderr too until log_background(). SANDNS_EOK or SANDNS_ECONFIG.
 */
int cfg_log_open(const cfg_t *cfg, bool background, char *err, size_t errlen);

/*
 * cfg_reload.c: NEXT, a configuration read again while sandnsd serves CUR, keeps CUR's values of
 * the keys only a restart can change (listen, io, eal-args, control, metrics, foreground, user,
 * pid-file, log-target, log-level, dnstap, state-dir, serial-state, udp-workers, tcp-*,
 * transfers-out, rate-limit*, cert, cert-probe-interval, watch, zone-max-size): each one that
 * differs is said in WARN (LEN bytes), "warning: KEY changed: restart sandnsd to apply\n" a
 * line, and counted in *NWARN. SANDNS_EOK or -ENOMEM.
 */
int cfg_keep_static(cfg_t *next, const cfg_t *cur, char *warn, size_t len, size_t *nwarn);

/*
 * cfg_cat.c, before cfg_check(): zone MEMBER, a member of consumer catalog CATALOG (one of
 * cfg->catalogs), listed there under the unique label LABEL (with a coo property naming COO, or
 * NULL), becomes a secondary zone of the catalog's primaries (the same keys), its copy kept in
 * PATH. SANDNS_EOK or -ENOMEM.
 */
int cfg_add_member(cfg_t *cfg, const char *member, const char *path, const char *catalog,
		   const char *label, const char *coo);

/* The catalog zone ORIGIN is, or NULL. */
const cfg_catalog_t *cfg_catalog_find(const cfg_t *cfg, const char *origin);

/*
 * cfg_reload.c: whether A and B, checked (and B through cfg_keep_static()), configure the same
 * running server: zones and their sources, primaries, notify targets, catalogs, keys (secrets
 * included), access lists, what goes into the snapshot, and the file's text. A `reload` of the
 * same configuration then switches nothing.
 */
bool cfg_same_running(const cfg_t *a, const cfg_t *b);

/* Writes "ADDR@PORT" for an IPv4 or IPv6 socket address into buf (always terminated). */
void cfg_addr_format(const struct sockaddr *sa, char *buf, size_t len);

#endif
