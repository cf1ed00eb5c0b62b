/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_cert.c: libFuzzer target for the certificate reader: the input is the content of a
 * certificate file (DER, or PEM: leaf first, chain after), read by cert_load_mem(), the code
 * cert_load_file() runs. What it extracts is then read back and matched against names, as the
 * policy does.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cert.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Names as the policy asks them: with and without the final dot, case, wildcards. */
	static const char *const names[] = {
	    "autodiscover.example.com.",
	    "mail.example.com",
	    "MAIL.Example.COM.",
	    "example.com",
	    "*.example.com",
	    ".example.com",
	    "a.b.example.com",
	    "",
	};
	char err[512], name[300];
	const char *fp;
	cert_t *c;
	size_t i, n;

	c = cert_load_mem(data, size, "fuzz.pem", err, sizeof(err));
	if (c == NULL) {
		FZ_CHECK(err[0] != '\0', "no certificate and no reason");
		return 0;
	}
	n = cert_san_count(c);
	for (i = 0; i < n; i++) {
		const char *san = cert_san(c, i);
		size_t len = strlen(san);

		FZ_CHECK(len > 0 && san[len - 1] != '.', "SAN '%s'", san);
		for (size_t k = 0; k < len; k++)
			FZ_CHECK(san[k] < 'A' || san[k] > 'Z', "SAN '%s' not in lower case", san);
		/* A SAN without a wildcard covers itself. */
		if (strchr(san, '*') == NULL && san[0] != '.')
			FZ_CHECK(cert_covers(c, san, false), "SAN '%s' does not cover itself", san);
		snprintf(name, sizeof(name), "autodiscover.%s", san);
		(void)cert_covers(c, name, false);
	}
	FZ_CHECK(cert_san(c, n) == NULL, "a SAN past the count");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		(void)cert_covers(c, names[i], false);
		(void)cert_covers(c, names[i], true);
	}
	if (cert_subject_cn(c) != NULL)
		(void)cert_covers(c, cert_subject_cn(c), true);
	FZ_CHECK(cert_validity(c, cert_not_before(c)) == 0 ||
		     cert_not_before(c) > cert_not_after(c),
		 "not valid at its own notBefore");
	(void)cert_validity(c, time(NULL));
	fp = cert_fingerprint_sha256(c);
	FZ_CHECK(strlen(fp) == 64 && strspn(fp, "0123456789abcdef") == 64, "fingerprint '%s'", fp);
	FZ_CHECK(strcmp(cert_source(c), "fuzz.pem") == 0, "source '%s'", cert_source(c));
	(void)cert_chain_count(c);
	cert_free(&c);
	FZ_CHECK(c == NULL, "cert_free left a pointer behind");
	return 0;
}
