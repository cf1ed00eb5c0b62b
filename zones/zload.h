/* SPDX-License-Identifier: BSD-3-Clause */
/* zload.h: zone files read with libldns and validated, before they are compiled */
#ifndef ZLOAD_H
#define ZLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct zload_zone zload_zone_t;

/*
 * Called once per warning (an oddity that Knot DNS also tolerates); the text names
 * file, line and reason. May be NULL: warnings are then dropped.
 */
typedef void (*zload_warn_fn)(void *ctx, const char *msg);

/*
 * Reads and validates the master file PATH for zone ORIGIN ("example.com" or "example.com.").
 * Handles $ORIGIN, $TTL, $INCLUDE and RFC 3597 unknown types. On failure returns NULL and
 * writes "file:line: reason" into err (errlen bytes, always terminated). The caller owns
 * the result and frees it with zload_free(). PATH and the files it $INCLUDEs are opened without
 * blocking and read only if they are regular files (a FIFO or a device is refused at once), and
 * together only up to zload_text_max() octets; $INCLUDE nests at most 8 deep, names at most
 * 1024 files in one zone, and never a file that is being read (a loop).
 */
zload_zone_t *zload_file(const char *origin, const char *path, zload_warn_fn warn, void *warn_ctx,
			 char *err, size_t errlen);

/*
 * The default bound on one zone's text, its file and every file it $INCLUDEs together: 1 GiB.
 * Text is held whole while it is read, and the records built from it take several times as
 * much, so the bound keeps a zone file (or "$INCLUDE /dev/zero", or a file that grows as it is
 * read) from taking the daemon's memory. 1 GiB passes any zone we expect by far: a record line
 * is 25 to 60 octets unsigned (a million records: 26 MB), a few hundred with DNSSEC (an RRSIG
 * line is about 250), so a signed zone of three to four million records still fits, and an
 * unsigned one of some twenty million.
 */
#define ZLOAD_TEXT_MAX_DEFAULT ((size_t)1 << 30)
/* The largest bound zload_set_text_max() takes. */
#define ZLOAD_TEXT_MAX_LIMIT (SIZE_MAX / 4)

/*
 * Sets the bound on one zone's text (octets) for the loads that start after it, from any
 * thread; 0 restores ZLOAD_TEXT_MAX_DEFAULT, more than ZLOAD_TEXT_MAX_LIMIT is taken as that.
 * A zone over it fails to load: "FILE: larger than N octets, the bound on one zone's text ...".
 */
void zload_set_text_max(size_t bytes);

/* The bound on one zone's text now in force. */
size_t zload_text_max(void);

/*
 * As zload_file(), from zone text in memory; NAME stands for the file in messages.
 * $INCLUDE paths are taken relative to the current directory; TEXT counts towards the bound
 * on the zone's text that its $INCLUDEs share.
 */
zload_zone_t *zload_string(const char *origin, const char *text, const char *name,
			   zload_warn_fn warn, void *warn_ctx, char *err, size_t errlen);

/*
 * Checks the master file PATH (or, when TEXT is not NULL, that text, PATH naming it) for zone
 * ORIGIN as zload_file() reads it, but goes on after an error: ERROR gets every error of the
 * file and of its $INCLUDEs ("FILE:LINE: reason"), syntax in file order then the zone rules
 * (out-of-zone data, SOA, apex NS, CNAME beside other data, glue), WARN every warning. At
 * MAX_ERRORS errors (0: no bound) the check stops and *STOPPED says so. Returns how many
 * errors: 0 when zload_file() would load the zone. The loads themselves never pay for it: the
 * check mode is a branch taken on their error paths only.
 */
size_t zload_check(const char *origin, const char *path, const char *text, zload_warn_fn warn,
		   void *warn_ctx, zload_warn_fn error, void *error_ctx, size_t max_errors,
		   bool *stopped);

/* The origin in presentation form with its trailing dot (owned by the zone). */
const char *zload_origin(const zload_zone_t *zone);

/* How many records the zone holds. */
size_t zload_rr_count(const zload_zone_t *zone);

/* The SOA serial as loaded. */
unsigned long zload_serial(const zload_zone_t *zone);

/*
 * Called by zload_foreach() once per record. OWNER is lower-case presentation form with its
 * trailing dot; RDATA_TEXT is the record data in presentation form, one field after another
 * separated by single spaces, names as written in the file ("0 0 443 mail.example.com.").
 * Both strings live only during the call. A non-zero return stops the walk.
 */
typedef int (*zload_rr_fn)(void *ctx, const char *owner, uint16_t type, uint32_t ttl,
			   const char *rdata_text);

/*
 * Walks every record of ZONE in file order (duplicates removed), so that code outside zones/
 * can read a loaded zone without libldns. Returns 0 when the walk ended, FN's first non-zero
 * return when FN stopped it, or -ENOMEM. Costs two string allocations per record: it serves
 * the control plane (policy, reports), not the compiler.
 */
int zload_foreach(const zload_zone_t *zone, zload_rr_fn fn, void *ctx);

enum zload_edit_op {
	ZLOAD_EDIT_WITHHOLD,   /* drop every record of TYPE at OWNER */
	ZLOAD_EDIT_ADD,	       /* add OWNER TTL IN TYPE RDATA (presentation form) */
	ZLOAD_EDIT_EMPTY_NODE, /* keep OWNER as a node even with no record: it answers NODATA and
				  no wildcard answers for it (RFC 4592 2.2.2) */
};

/* One change made to a loaded zone's data (the autodiscover policy's, by the control plane). */
typedef struct zload_edit {
	enum zload_edit_op op;
	const char *owner; /* absolute, presentation form */
	uint16_t type;	   /* WITHHOLD, ADD */
	uint32_t ttl;	   /* ADD */
	const char *rdata; /* ADD: "0 0 443 mail.example.com." */
} zload_edit_t;

/*
 * A copy of ZONE with EDITS applied in order and the SOA serial set to SERIAL. Added records
 * are attributed to SOURCE (a file name for messages, line 0). An owner outside the zone, a
 * type it cannot change (SOA) or RDATA that does not parse is an error: NULL, reason in err.
 * ZONE is left as it was. Free the copy with zload_free().
 */
zload_zone_t *zload_edit(const zload_zone_t *zone, const zload_edit_t *edits, size_t nedits,
			 unsigned long serial, const char *source, char *err, size_t errlen);
/*
 * zload_edit() with room for ROOM_RECS more records and ROOM_DATA more octets than the copy
 * holds (in huge pages where the kernel gives them): a copy about to grow (a zone signed), so
 * that it is not copied again as it does.
 */
zload_zone_t *zload_edit_room(const zload_zone_t *zone, const zload_edit_t *edits, size_t nedits,
			      unsigned long serial, const char *source, size_t room_recs,
			      size_t room_data, char *err, size_t errlen);

/*
 * Checks EDITS against ZONE as zload_edit() would apply them (owners inside the zone, no SOA,
 * RDATA that parses) without copying anything. 0, or an error with the reason in err.
 */
int zload_edits_check(const zload_zone_t *zone, const zload_edit_t *edits, size_t nedits, char *err,
		      size_t errlen);

/*
 * Appends to BUF (LEN bytes, always terminated) one line per record at OWNER of TYPE (0: every
 * type): "FILE:LINE: OWNER TTL IN TYPE RDATA\n" ("FILE: ..." for a record without a line: a
 * transfer's version names the transfer, or the version it was applied to, for those).
 * Returns how many records matched.
 */
size_t zload_describe(const zload_zone_t *zone, const char *owner, uint16_t type, char *buf,
		      size_t len);

/*
 * Calls FN for each record at OWNER (presentation form, any case) of TYPE (0: every type), as
 * zload_foreach() does, finding them through an index (a zone as loaded) rather than a walk.
 * Returns 0, FN's first non-zero return, -ENOMEM (OWNER's parse or the walk ran out of memory:
 * its records are not known), or SANDNS_EPARSE for a bad OWNER.
 */
int zload_lookup(const zload_zone_t *zone, const char *owner, uint16_t type, zload_rr_fn fn,
		 void *ctx);

/*
 * Whether ZONE holds records at NAME (when AT) or strictly below it (when BELOW): 1 or 0;
 * SANDNS_EPARSE for a NAME that does not parse (none there), -ENOMEM when its parse ran out of
 * memory (not known).
 */
int zload_has_name(const zload_zone_t *zone, const char *name, bool at, bool below);
/* Tests only: the Nth name parsed by zload_lookup() or zload_has_name() from now (1: the next)
 * fails as when memory runs out, -ENOMEM, and the count stops; 0 (the default): none does. */
extern unsigned long zload_name_nomem_at;

/* Whether ZONE is DNSSEC-signed (holds DNSKEY or RRSIG records). */
bool zload_is_signed(const zload_zone_t *zone);

/*
 * A zone's next version from a transfer (zload_xfr.c), without reading a file and without an
 * ldns object per record. BASE (the version served, kept alive by the caller until the end) is
 * what an IXFR applies to; NULL: an AXFR, every record given by zload_xfr_add(). SOURCE names
 * the transfer in messages ("IXFR from ADDR", the records numbered as lines). NULL without
 * memory.
 */
typedef struct zload_xfr zload_xfr_t;
zload_xfr_t *zload_xfr_new(const char *origin, const zload_zone_t *base, const char *source);

/*
 * An IXFR's deletion (RFC 1995: a sequence's deletions, then its additions; its old SOA is
 * deleted, its new SOA added): OWNER (wire, any case), TYPE and RDATA (uncompressed wire) of a
 * record the version holds, compared as ldns_rr_compare() compares records (owners and the names
 * in RFC 4034 6.2's types without case, the TTL apart); an SOA by its serial alone. 0; -ENOENT
 * when no such record is held (the IXFR is inconsistent: AXFR instead); -EINVAL (an owner or
 * data too long), -ENOMEM; SANDNS_EPARSE for an AXFR.
 */
int zload_xfr_del(zload_xfr_t *x, const uint8_t *owner, uint16_t type, uint32_t ttl,
		  const uint8_t *rdata, size_t rdlen);

/*
 * An addition (IXFR), or a record of an AXFR. In an IXFR a record held already (its TTL apart)
 * is replaced: a set holds a record once. 0, -EINVAL or -ENOMEM.
 */
int zload_xfr_add(zload_xfr_t *x, const uint8_t *owner, uint16_t type, uint32_t ttl,
		  const uint8_t *rdata, size_t rdlen);

/* How many records the version holds now. */
size_t zload_xfr_count(const zload_xfr_t *x);

/*
 * The new version, sorted and checked against the zone rules exactly as zload_file() checks a
 * file (SOA, apex NS, CNAME beside other data, out-of-zone data, glue; duplicates of an AXFR
 * dropped with a warning to WARN): NULL with "WHERE:LINE: reason" in ERR when it breaks one
 * (WHERE SOURCE for the transfer's records, with their place in it; "ORIGIN at serial N" and
 * no line for those of BASE). *X is freed either way. After an AXFR, the arrays its first
 * IXFR's version will take are made (zload_xfr_prepare()).
 */
zload_zone_t *zload_xfr_finish(zload_xfr_t **x, zload_warn_fn warn, void *warn_ctx, char *err,
			       size_t errlen);

/* Frees *X (NULL is fine) and leaves NULL. */
void zload_xfr_free(zload_xfr_t **x);

/*
 * HELD, the version the next IXFR applies to (a secondary's copy loaded at a start): the
 * arrays that IXFR's version will take made now, pages written, when there are none kept
 * (zload_spare.c; zones of 65,536 records and more), so that it costs no fresh memory; and
 * HELD, freed with its last reference, hands its own to the version after, as a transfer's
 * version does.
 */
void zload_xfr_prepare(zload_zone_t *held);

/*
 * Z as a zone file to F, one record a line in ldns's presentation form (owners as received,
 * absolute names, the SOA first): what a secondary keeps of a transfer. 0, -ENOMEM or -EIO.
 */
int zload_xfr_print(const zload_zone_t *z, FILE *f);

/*
 * RR (an ldns_rr: a record of an answer, say) as one line of zone text without its newline, its
 * names escaped as the lines above are (ldns leaves '@', '$' and '"' bare, which a reader takes for
 * the origin, a directive or a string), the fields tab-separated as ldns_rr2str()'s; malloc'd,
 * NULL without memory or for a record ldns cannot write in wire form.
 */
struct ldns_struct_rr;
char *zload_rr_str(const struct ldns_struct_rr *rr);

/*
 * Another reference to ZONE (a loaded zone is never changed): each needs its own zload_free().
 * The count is atomic: the reload thread, the transfer thread and its writer share versions.
 */
zload_zone_t *zload_ref(zload_zone_t *zone);

/*
 * Gives ZONE, a version made in memory and not yet shared (a zone sandns signed, one read back
 * from the state directory), the index by owner a version read from a file has: what
 * zload_changes() walks and zt_patch() reads a changed name's records through. Records are
 * expected once each (no duplicate is dropped). 0 (also when it has one), or -ENOMEM (ZONE left
 * without: compared and patched never, compiled as before).
 */
int zload_index_owners(zload_zone_t *zone);
/*
 * zload_index_owners() for ZONE made from PREV (indexed), TO_NEW telling per record of PREV the
 * record of ZONE that holds the same owner, type, TTL and data (its index + 1), or 0: PREV's
 * order kept for those, the others sorted and put in by bisection; the index a sort would make,
 * in time that grows with the records not carried. PREV not indexed: zload_index_owners().
 */
int zload_index_owners_from(zload_zone_t *zone, const zload_zone_t *prev, const uint32_t *to_new);
/* The records zload_index_owners_from() sorted and put in, all calls together (the tests read it:
 * a signed version whose records are mostly the version before's sorts few). */
extern unsigned long zload_index_sorted_in;

/*
 * A list of owner names (lower-case wire form, sorted, each once): what changed between two
 * versions of a zone (zload_names.c).
 */
typedef struct zload_names zload_names_t;

/* The names of NM and how many (*N); owned by NM. */
const uint8_t *const *zload_names_list(const zload_names_t *nm, size_t *n);
/* Frees *NM (NULL is fine) and leaves NULL. */
void zload_names_free(zload_names_t **nm);

/*
 * The owners whose records differ between FROM and TO, two versions of one zone (added,
 * changed or removed, their TTLs and file order within an owner included): those an IXFR
 * applied since FROM noted (zload_xfr_finish()), else both versions' sorted records walked
 * together in one pass (no compile); names either version keeps without records (the policy's
 * EMPTY_NODE edits, in a signed version) are listed too, changed or not. 0 with *OUT (the
 * caller's); -ENOTSUP when neither can tell (a version never sorted); -ENOMEM.
 */
int zload_changes(const zload_zone_t *from, const zload_zone_t *to, zload_names_t **out);

/*
 * *NM (NULL: an empty list made) with ZONE's apex and the N OWNERS added (absolute names in
 * presentation form, as the policy's edits give them; one that is no name is skipped, as no
 * patch or compile applies an edit there), sealed again: the names a change of a zone's edits
 * touches, the old edits' owners and the new. 0 or -ENOMEM (*NM the caller's to free all the
 * same).
 */
int zload_names_owners(zload_names_t **nm, const zload_zone_t *zone, const char *const *owners,
		       size_t n);

/*
 * A number that names this version of a zone and no other in the process (drawn at the first
 * call): what zload_changes_since() takes when the version itself is no longer held.
 */
uint64_t zload_version(const zload_zone_t *zone);

/*
 * zload_changes() from the version numbered FROM (zload_version()), which may be freed already:
 * only what TO noted (an IXFR applied since). -ENOTSUP when it noted nothing since FROM.
 */
int zload_changes_since(uint64_t from, const zload_zone_t *to, zload_names_t **out);

/*
 * Whether ZONE was read from the master file PATH (zload_file()) and that file and every file
 * it $INCLUDEd are still the files read then: the same device, inode, size and modification
 * time (nanoseconds) now, under the same bound on the text (zload_text_max()). False whenever
 * that is not sure: a file that cannot be stat'ed, one modified within a second of its reading
 * (a later change might keep its time), a version from a text, a transfer or edits.
 */
bool zload_files_unchanged(const zload_zone_t *zone, const char *path);

/*
 * What a version recorded of the files it was read from, apart from it (zload_stamp.c): a
 * build keeps it for a zone whose version it frees (keep-zones), and tells from it alone
 * whether the files changed since. Shared by reference, never written once made.
 */
typedef struct zload_stamps zload_stamps_t;
/* ZONE's record of its files (a new reference), or NULL when zload_files_unchanged() would
 * always say false (none recorded, or not all). */
zload_stamps_t *zload_stamps(const zload_zone_t *zone);
/* Another reference to S (NULL is fine). */
zload_stamps_t *zload_stamps_ref(zload_stamps_t *s);
/* Drops a reference to *S, freeing it with the last (NULL is fine); leaves NULL behind. */
void zload_stamps_put(zload_stamps_t **s);
/* zload_files_unchanged() of the version S was recorded by (false for NULL). */
bool zload_stamps_unchanged(const zload_stamps_t *s, const char *path);
/* Whether A and B record the same files as they were, alike (false when either is NULL): two
 * versions read from the same contents, as far as the stamps tell. */
bool zload_stamps_equal(const zload_stamps_t *a, const zload_stamps_t *b);

/*
 * A version of ZONE that holds only its records at the N OWNERS (absolute names in presentation
 * form), in file order, indexed by owner, with ZONE's origin, serial and names kept empty: all
 * that zt_patch() reads of a version when only those names are compiled again (zload_part.c).
 * Records no stamps (never taken for the zone's files). NULL with *WHY -E2BIG when the records
 * pass MAX_RECS or MAX_OCTETS (owners and data), -EINVAL when an owner is no name inside the
 * zone, -ENOMEM without memory.
 */
zload_zone_t *zload_part(const zload_zone_t *zone, const char *const *owners, size_t n,
			 size_t max_recs, size_t max_octets, int *why);

/* Drops a reference to *zone and frees it with the last (NULL is fine); leaves NULL behind. */
void zload_free(zload_zone_t **zone);

#endif
