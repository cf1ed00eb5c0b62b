/* SPDX-License-Identifier: BSD-3-Clause */
/* cutest.h: the CUnit suites of sandns-tests, one registration function per tested module */
#ifndef CUTEST_H
#define CUTEST_H

#include <CUnit/CUnit.h>

/*
 * Each function adds one CUnit suite (CU_add_suite, then CU_add_test for each case) to the
 * registry that runner.c created. They return nothing: a failed registration shows up in
 * CU_get_error(), which the runner checks after each call. tests/X/test_Y.c defines reg_cutest_Y.
 */
void reg_cutest_wire(void);    /* tests/zones/test_wire.c: wire parsing and names */
void reg_cutest_zload(void);   /* tests/zones/test_zload.c: zone loading and validation errors */
void reg_cutest_answer(void);  /* tests/zones/test_answer.c: the answer engine's rules */
void reg_cutest_burst(void);   /* tests/zones/test_burst.c: bursts read ahead, answered alike */
void reg_cutest_dp_pkt(void);  /* tests/dataplane/test_dp_pkt.c: the packet layer, frame by frame */
void reg_cutest_cfg(void);     /* tests/control/test_cfg.c: configuration file and command line */
void reg_cutest_cert(void);    /* tests/control/test_cert.c: certificates, SAN matching, tls:// */
void reg_cutest_policy(void);  /* tests/control/test_policy.c: the autodiscover decisions */
void reg_cutest_zedit(void);   /* tests/zones/test_zedit.c: edited zones, and what they answer */
void reg_cutest_ctl(void);     /* tests/control/test_ctl.c: building snapshots, serials, flips */
void reg_cutest_rrl(void);     /* tests/zones/test_rrl.c: response rate limiting */
void reg_cutest_ctl_cmd(void); /* tests/control/test_ctl_cmd.c: the control commands, one table */
void reg_cutest_zsrc(void);    /* tests/control/test_zsrc.c: where a zone comes from */
void reg_cutest_state(void);   /* tests/control/test_state.c: serial-state in two slots */
void reg_cutest_index(void);   /* tests/zones/test_index.c: the name index's one hash */
void reg_cutest_adcheck(void); /* tests/control/test_adcheck.c: autodiscover-check, no network */
void reg_cutest_ixfr(void); /* tests/zones/test_ixfr.c: differences, history, journal, IXFR out */
void reg_cutest_cfg_keys(
    void);		     /* tests/control/test_cfg_keys.c: TSIG keys and ACLs in the config */
void reg_cutest_svc(void);   /* tests/control/test_svc.c: every error kept, user, pid-file */
void reg_cutest_tsig(void);  /* tests/zones/test_tsig.c: TSIG against dnspython's signatures */
void reg_cutest_xfrin(void); /* tests/control/test_xfrin.c: secondary zones, no network */
void reg_cutest_dgram(void); /* tests/zones/test_dgram.c: one datagram answered, limited, counted */
void reg_cutest_notify(void); /* tests/control/test_notify.c: NOTIFY out, lines to answers */
void reg_cutest_xfr(void);    /* tests/zones/test_xfr.c: the transfer cursor, resumed, referenced */
void reg_cutest_bigans(void); /* tests/zones/test_bigans.c: answers of any size */
void reg_cutest_denial(void); /* tests/zones/test_denial.c: DO denial answers composed */
/* tests/zones/test_denial_rand.c: denial answers made ahead, over zones made from a seed */
void reg_cutest_denialrand(void);
/* tests/zones/test_denial_floor.c: the floor of an NSEC zone's blobs, over hostile zones */
void reg_cutest_denialfloor(void);
void reg_cutest_blobparts(void);     /* tests/zones/test_blobparts.c: answers in parts, as whole */
void reg_cutest_nsec3(void);	     /* tests/zones/test_nsec3.c: NSEC3 hashes and denial proofs */
void reg_cutest_dnstap(void);	     /* tests/zones/test_dnstap.c: dnstap messages, read back */
void reg_cutest_dnstap_log(void);    /* tests/zones/test_dnstap_log.c: the log's rings and file */
void reg_cutest_zcheck(void);	     /* tests/zones/test_zcheck.c: the loader's check mode */
void reg_cutest_log(void);	     /* tests/control/test_log.c: log targets, levels, reopening */
void reg_cutest_edns(void);	     /* tests/zones/test_edns.c: NSID, cookies, padding */
void reg_cutest_sign(void);	     /* tests/zones/test_sign.c: keys, signatures, NSEC(3) chains */
void reg_cutest_sign_state(void);    /* tests/zones/test_sign_state.c: a signed zone in a file */
void reg_cutest_sign_keys(void);     /* tests/zones/test_sign_keys.c: hostile key files */
void reg_cutest_ctl_signstate(void); /* tests/control/test_ctl_signstate.c: kept across restarts */
void reg_cutest_cfg_dnssec(void);    /* tests/control/test_cfg_dnssec.c: the signing keys */
void reg_cutest_ctl_sign(void);	     /* tests/control/test_ctl_sign.c: the build signs, serials */
void reg_cutest_zload_fastrr(void);  /* tests/zones/test_zload_fastrr.c: DNSSEC lines read fast */
void reg_cutest_zload_fastrr_hostile(void); /* test_zload_fastrr_hostile.c: hostile lines */
void reg_cutest_sigtime(void); /* tests/zones/test_sigtime.c: RRSIG periods against the clock */
/* tests/zones/test_zload_owner.c: a blank owner with no owner before it */
void reg_cutest_zload_owner(void);
/* tests/zones/test_zt_spare.c: freed arrays' mappings kept, taken again */
void reg_cutest_zt_spare(void);
/* tests/zones/test_spare_patch.c: patches in a row of a zone on mappings, zones coming and going */
void reg_cutest_sparepatch(void);

void reg_cutest_metrics(void); /* tests/control/test_metrics.c: the Prometheus exposition */
void reg_cutest_srv_tcp(void); /* tests/control/test_srv_tcp.c: the TCP thread's clocks and cap */
/* tests/control/test_ctl_reload.c: the reload thread, requests merged, replies deferred */
void reg_cutest_ctl_reload(void);
void reg_cutest_catz(
    void); /* tests/control/test_catz.c: catalog zones, the configuration read again */
/* tests/control/test_catz_label.c: the label a catalog member's copy was made under */
void reg_cutest_catz_label(void);
/* tests/control/test_journals.c: the journals of zones no longer configured, at start */
void reg_cutest_journals(void);
/* tests/control/test_xfrin_notifier.c: the NOTIFY sender asked first after a reconfiguration */
void reg_cutest_xfrin_notifier(void);
void reg_cutest_xfrin_write(void);
void reg_cutest_xfrin_prep(void);
void reg_cutest_notify_soa(void);
void reg_cutest_grow(void); /* tests/zones/test_grow.c: the doubling array (grow.h) */
/* tests/zones/test_zload_xfr.c: a zone's next version from a transfer (IXFR applied, AXFR) */
void reg_cutest_zload_xfr(void);
/* tests/zones/test_zload_print.c: a version printed as text, read back the same */
void reg_cutest_zload_print(void);
void reg_cutest_zshare(void);
void reg_cutest_nameset(void);
void reg_cutest_patch(void); /* tests/zones/test_patch.c: zt_patch against zt_new, at random */

void reg_cutest_patchunit(void); /* tests/zones/test_patch_unit.c: zt_patch() vs zt_new() */

#endif
