/* SPDX-License-Identifier: BSD-3-Clause */
/* runner.c: sandns-tests, the one CUnit runner for every unit test suite */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include "cutest.h"

/* Suites register in this order. */
// clang-format off
static const struct {
	const char *name;
	void (*reg)(void);
} suites[] = {
    /* one suite a line (clang-format would pack them in columns) */
    {"wire", reg_cutest_wire},
    {"zload", reg_cutest_zload},
    {"zcheck", reg_cutest_zcheck},
    {"log", reg_cutest_log},
    {"answer", reg_cutest_answer},
    {"burst", reg_cutest_burst},
    {"dp_pkt", reg_cutest_dp_pkt},
    {"cfg", reg_cutest_cfg},
    {"cert", reg_cutest_cert},
    {"policy", reg_cutest_policy},
    {"zedit", reg_cutest_zedit},
    {"zload_xfr", reg_cutest_zload_xfr},
    {"zload_print", reg_cutest_zload_print},
    {"zload_fastrr", reg_cutest_zload_fastrr},
    {"zload_fastrr_hostile", reg_cutest_zload_fastrr_hostile},
    {"zload_owner", reg_cutest_zload_owner},
    {"zt_spare", reg_cutest_zt_spare},
    {"sparepatch", reg_cutest_sparepatch},
    {"zshare", reg_cutest_zshare},
    {"nameset", reg_cutest_nameset},
    {"ctl", reg_cutest_ctl},
    {"rrl", reg_cutest_rrl},
    {"index", reg_cutest_index},
    {"ctl_cmd", reg_cutest_ctl_cmd},
    {"ctl_reload", reg_cutest_ctl_reload},
    {"zsrc", reg_cutest_zsrc},
    {"state", reg_cutest_state},
    {"dgram", reg_cutest_dgram},
    {"metrics", reg_cutest_metrics},
    {"srv_tcp", reg_cutest_srv_tcp},
    {"adcheck", reg_cutest_adcheck},
    {"notify", reg_cutest_notify},
    {"ixfr", reg_cutest_ixfr},
    {"xfr", reg_cutest_xfr},
    {"tsig", reg_cutest_tsig},
    {"cfg_keys", reg_cutest_cfg_keys},
    {"xfrin", reg_cutest_xfrin},
    {"bigans", reg_cutest_bigans},
    {"nsec3", reg_cutest_nsec3},
    {"denial", reg_cutest_denial},
    {"denialrand", reg_cutest_denialrand},
    {"denialfloor", reg_cutest_denialfloor},
    {"blobparts", reg_cutest_blobparts},
    {"dnstap", reg_cutest_dnstap},
    {"dnstap_log", reg_cutest_dnstap_log},
    {"svc", reg_cutest_svc},
    {"edns", reg_cutest_edns},
    {"sign", reg_cutest_sign},
    {"sign_state", reg_cutest_sign_state},
    {"sign_keys", reg_cutest_sign_keys},
    {"ctl_signstate", reg_cutest_ctl_signstate},
    {"cfg_dnssec", reg_cutest_cfg_dnssec},
    {"ctl_sign", reg_cutest_ctl_sign},
    {"sigtime", reg_cutest_sigtime},
    {"catz", reg_cutest_catz},
    {"catz_label", reg_cutest_catz_label},
    {"journals", reg_cutest_journals},
    {"xfrin_notifier", reg_cutest_xfrin_notifier},
    {"xfrin_write", reg_cutest_xfrin_write},
    {"xfrin_prep", reg_cutest_xfrin_prep},
    {"notify_soa", reg_cutest_notify_soa},
    {"grow", reg_cutest_grow},
    {"patchunit", reg_cutest_patchunit},
    {"patch", reg_cutest_patch},
    {NULL, NULL},
};
// clang-format on

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s [SUITE]   (runs every suite, or only the suite named SUITE)\n",
		prog);
	return 2;
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	unsigned int failed;
	size_t i;
	int ret = EXIT_FAILURE;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return usage(argv[0]);
	if (argc == 2)
		only = argv[1];

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "sandns-tests: CUnit: %s\n", CU_get_error_msg());
		return EXIT_FAILURE;
	}
	for (i = 0; suites[i].reg != NULL; i++) {
		suites[i].reg();
		if (CU_get_error() != CUE_SUCCESS) {
			fprintf(stderr, "sandns-tests: registering suite %s: %s\n", suites[i].name,
				CU_get_error_msg());
			goto out_cleanup_registry;
		}
	}

	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (only != NULL) {
		CU_pSuite suite = CU_get_suite(only);

		if (suite == NULL) {
			fprintf(stderr, "sandns-tests: no suite named '%s'\n", only);
			goto out_cleanup_registry;
		}
		CU_basic_run_suite(suite);
	} else {
		CU_basic_run_tests();
	}
	/* CU_basic_run_* printed the summary table; the verdict counts failed suites (their init
	 * or cleanup failed), failed tests and failed asserts, and a framework error. */
	failed = CU_get_number_of_suites_failed() + CU_get_number_of_tests_failed() +
		 CU_get_number_of_failures();
	if (CU_get_error() != CUE_SUCCESS)
		fprintf(stderr, "sandns-tests: CUnit: %s\n", CU_get_error_msg());
	else if (failed == 0)
		ret = EXIT_SUCCESS;
	printf("\nsandns-tests: %s\n", ret == EXIT_SUCCESS ? "all passed" : "FAILED");

out_cleanup_registry:
	CU_cleanup_registry();
	return ret;
}
