# SPDX-License-Identifier: BSD-3-Clause
# genzone.sh: the large mail-domain zone the benchmarks share (coldstart.sh, sign.sh), sourced.
# shellcheck shell=bash

# gen_mail_zone HOSTS SERIAL [CHANGES]: prints zone example.com. with the sample's mail server
# and autodiscover (12 records), then HOSTS A records h0000000... at 10.x.y.z; with CHANGES, that
# many hosts spread evenly over them (every HOSTS/CHANGES-th) at 10.255.y.z instead: a copy of
# the zone with CHANGES records changed.
gen_mail_zone() {
	awk -v n="$1" -v serial="$2" -v changes="${3:-0}" 'BEGIN {
	print "$ORIGIN example.com.\n$TTL 3600"
	print "@ IN SOA ns1 hostmaster " serial " 7200 3600 1209600 300"
	print "@ IN NS ns1\n@ IN NS ns2\n@ IN MX 10 mail\n@ IN A 198.18.4.10"
	print "ns1 IN A 198.18.4.53\nns2 IN A 198.18.5.53"
	print "mail IN A 198.18.0.25\nmail IN AAAA 2001:db8:25::25"
	print "autodiscover IN A 198.18.0.25\nautodiscover IN AAAA 2001:db8:25::25"
	print "*.users IN A 198.18.4.80"
	step = changes > 0 ? int(n / changes) : 0
	for (h = 0; h < n; h++)
		if (step > 0 && h % step == step - 1 && h / step < changes)
			printf "h%07d IN A 10.255.%d.%d\n", h, int(h / 256) % 256, h % 256
		else
			printf "h%07d IN A 10.%d.%d.%d\n", h, int(h / 65536) % 256, int(h / 256) % 256, h % 256
}'
}
