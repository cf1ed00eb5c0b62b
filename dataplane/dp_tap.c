/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_tap.c: the exception path's kernel side: the TAP interface, our addresses, their routes */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp_pvt.h"
#include "sandns_err.h"

/*
 * The kernel gets our addresses as /32 and /128 on the TAP, and a rule "from OUR-ADDRESS lookup
 * TABLE" with an on-link default route through the TAP in TABLE: replies from our addresses
 * (SYN-ACKs, TCP answers) leave through the TAP whatever the host's other routes say, and
 * the kernel resolves the client's MAC with its own ARP/ND, which the worker carries.
 */
#define DP_TAP_TABLE_BASE 0x53440000u /* "SD" + the TAP's ifindex */
#define DP_TAP_RULE_PRIO 1000

void dp_tap_devarg(char *buf, size_t len, char *ifname, size_t iflen)
{
	/* Unique per process within a network namespace; IFNAMSIZ allows 15 characters. */
	snprintf(ifname, iflen, "sandns%u", (unsigned)getpid() % 10000000u);
	snprintf(buf, len, "--vdev=net_tap_sandns0,iface=%s", ifname);
}

struct dp_nlmsg {
	struct nlmsghdr nh;
	union {
		struct ifaddrmsg ifa;
		struct rtmsg rt;
		struct fib_rule_hdr frh;
	} u;
	char attrs[256];
};

static void dp_nl_attr(struct dp_nlmsg *m, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)m + NLMSG_ALIGN(m->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Sends one request and reads its acknowledgement: 0 or -errno. */
static int dp_nl_talk(int fd, struct dp_nlmsg *m)
{
	static unsigned seq;
	char buf[4096];
	ssize_t n;

	m->nh.nlmsg_seq = ++seq;
	m->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(fd, m, m->nh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *h;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return errno == EINTR ? -EINTR : -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != m->nh.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
		}
	}
}

static void dp_nl_init(struct dp_nlmsg *m, unsigned short type, unsigned short flags, size_t hdr)
{
	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_len = (unsigned)NLMSG_LENGTH(hdr);
	m->nh.nlmsg_type = type;
	m->nh.nlmsg_flags = flags;
}

/* ADDR (4 or 16 bytes) as /32 or /128 on the TAP; IPv6 without duplicate detection. */
static int dp_nl_addr(int fd, const struct dp *dp, int family, const void *addr)
{
	const size_t alen = family == AF_INET ? 4 : 16;
	const uint32_t flags = IFA_F_NODAD;
	struct dp_nlmsg m;

	dp_nl_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, sizeof(struct ifaddrmsg));
	m.u.ifa.ifa_family = (unsigned char)family;
	m.u.ifa.ifa_prefixlen = (unsigned char)(alen * 8);
	m.u.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	m.u.ifa.ifa_index = (unsigned)dp->tap_ifindex;
	dp_nl_attr(&m, IFA_LOCAL, addr, alen);
	dp_nl_attr(&m, IFA_ADDRESS, addr, alen);
	if (family == AF_INET6)
		dp_nl_attr(&m, IFA_FLAGS, &flags, sizeof(flags));
	return dp_nl_talk(fd, &m);
}

/* The on-link default route through the TAP in our table. */
static int dp_nl_route(int fd, const struct dp *dp, int family)
{
	const uint32_t oif = (uint32_t)dp->tap_ifindex, table = dp->tap_table;
	struct dp_nlmsg m;

	dp_nl_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, sizeof(struct rtmsg));
	m.u.rt.rtm_family = (unsigned char)family;
	m.u.rt.rtm_table = RT_TABLE_UNSPEC;
	m.u.rt.rtm_protocol = RTPROT_STATIC;
	m.u.rt.rtm_scope = RT_SCOPE_LINK;
	m.u.rt.rtm_type = RTN_UNICAST;
	dp_nl_attr(&m, RTA_TABLE, &table, sizeof(table));
	dp_nl_attr(&m, RTA_OIF, &oif, sizeof(oif));
	return dp_nl_talk(fd, &m);
}

/* Adds (RTM_NEWRULE) or removes (RTM_DELRULE) "from ADDR lookup TABLE". */
static int dp_nl_rule(int fd, const struct dp *dp, unsigned short type, int family,
		      const void *addr)
{
	const size_t alen = family == AF_INET ? 4 : 16;
	const uint32_t table = dp->tap_table, prio = DP_TAP_RULE_PRIO;
	struct dp_nlmsg m;

	dp_nl_init(&m, type, type == RTM_NEWRULE ? NLM_F_CREATE : 0, sizeof(struct fib_rule_hdr));
	m.u.frh.family = (unsigned char)family;
	m.u.frh.src_len = (unsigned char)(alen * 8);
	m.u.frh.table = RT_TABLE_UNSPEC;
	m.u.frh.action = FR_ACT_TO_TBL;
	dp_nl_attr(&m, FRA_SRC, addr, alen);
	dp_nl_attr(&m, FRA_TABLE, &table, sizeof(table));
	dp_nl_attr(&m, FRA_PRIORITY, &prio, sizeof(prio));
	return dp_nl_talk(fd, &m);
}

/* Duplicate address detection would hold our IPv6 addresses tentative (unusable) for a second. */
static void dp_tap_sysctl(const struct dp *dp, const char *key, const char *value)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", dp->tap_ifname, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, value, strlen(value)) < 0) {
		/* Without it the addresses carry IFA_F_NODAD anyway. */
	}
	close(fd);
}

static int dp_tap_up(const struct dp *dp)
{
	struct ifreq ifr;
	int fd, rc = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dp->tap_ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
		rc = -errno;
	} else if ((ifr.ifr_flags & IFF_UP) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
			rc = -errno;
	}
	close(fd);
	return rc;
}

int dp_tap_configure(struct dp *dp, char *err, size_t errlen)
{
	char text[INET6_ADDRSTRLEN];
	const char *what = "";
	int fd, rc = 0;
	unsigned i;

	dp->tap_ifindex = (int)if_nametoindex(dp->tap_ifname);
	if (dp->tap_ifindex == 0) {
		snprintf(err, errlen, "the TAP interface %s is missing: %s", dp->tap_ifname,
			 strerror(errno));
		return -ENODEV;
	}
	dp->tap_table = DP_TAP_TABLE_BASE + (uint32_t)dp->tap_ifindex;
	dp_tap_sysctl(dp, "accept_dad", "0");
	dp_tap_sysctl(dp, "accept_ra", "0");
	rc = dp_tap_up(dp);
	if (rc != 0) {
		snprintf(err, errlen, "cannot bring the TAP %s up: %s", dp->tap_ifname,
			 strerror(-rc));
		return rc;
	}

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open a netlink socket: %s", strerror(errno));
		return rc;
	}
	text[0] = '\0';
	for (i = 0; i < dp->addrs.n_ip4 && rc == 0; i++) {
		inet_ntop(AF_INET, &dp->addrs.ip4[i], text, sizeof(text));
		what = "add the address";
		rc = dp_nl_addr(fd, dp, AF_INET, &dp->addrs.ip4[i]);
		if (rc == 0) {
			what = "add a source rule for";
			rc = dp_nl_rule(fd, dp, RTM_NEWRULE, AF_INET, &dp->addrs.ip4[i]);
			if (rc == -EEXIST)
				rc = 0;
			dp->tap_rules = dp->tap_rules || rc == 0;
		}
	}
	for (i = 0; i < dp->addrs.n_ip6 && rc == 0; i++) {
		inet_ntop(AF_INET6, dp->addrs.ip6[i], text, sizeof(text));
		what = "add the address";
		rc = dp_nl_addr(fd, dp, AF_INET6, dp->addrs.ip6[i]);
		if (rc == 0) {
			what = "add a source rule for";
			rc = dp_nl_rule(fd, dp, RTM_NEWRULE, AF_INET6, dp->addrs.ip6[i]);
			if (rc == -EEXIST)
				rc = 0;
			dp->tap_rules = dp->tap_rules || rc == 0;
		}
	}
	if (rc == 0 && dp->addrs.n_ip4 > 0) {
		what = "add the IPv4 route via";
		rc = dp_nl_route(fd, dp, AF_INET);
	}
	if (rc == 0 && dp->addrs.n_ip6 > 0) {
		what = "add the IPv6 route via";
		rc = dp_nl_route(fd, dp, AF_INET6);
	}
	close(fd);
	if (rc != 0) {
		snprintf(err, errlen, "cannot %s %s on the TAP %s: %s", what, text, dp->tap_ifname,
			 strerror(-rc));
		return rc;
	}
	return SANDNS_EOK;
}

void dp_tap_unconfigure(struct dp *dp)
{
	unsigned i;
	int fd;

	/* Addresses and routes go with the interface; rules are not tied to it. */
	if (!dp->tap_rules)
		return;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return;
	for (i = 0; i < dp->addrs.n_ip4; i++)
		dp_nl_rule(fd, dp, RTM_DELRULE, AF_INET, &dp->addrs.ip4[i]);
	for (i = 0; i < dp->addrs.n_ip6; i++)
		dp_nl_rule(fd, dp, RTM_DELRULE, AF_INET6, dp->addrs.ip6[i]);
	close(fd);
	dp->tap_rules = false;
}

/*
 * af_packet taps a kernel interface rather than taking it over: every frame also climbs the
 * host's stack, which holds our addresses (on the TAP) and, being a weak host, would answer
 * echo, send port-unreachable for UDP/53 and take TCP segments a second time. Strict reverse
 * path filtering (our source rules route replies to the TAP, not here), ARP silence and no
 * IPv6 on that interface leave the frames to sandnsd. Harmless for af_xdp, which redirects.
 */
static const char *const dp_port_sysctls[3][2] = {
    {"/proc/sys/net/ipv4/conf/%s/rp_filter", "1"},
    {"/proc/sys/net/ipv4/conf/%s/arp_ignore", "8"},
    {"/proc/sys/net/ipv6/conf/%s/disable_ipv6", "1"},
};

static bool dp_sysctl_swap(const char *fmt, const char *ifname, const char *value, char *old,
			   size_t oldlen)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), fmt, ifname);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, old, oldlen - 1);
	if (n <= 0 || lseek(fd, 0, SEEK_SET) != 0 || write(fd, value, strlen(value)) < 0) {
		close(fd);
		return false;
	}
	old[n] = '\0';
	close(fd);
	return true;
}

void dp_port_kernel_quiet(struct dp *dp, unsigned if_index)
{
	char old[16];
	unsigned i;

	if (if_index == 0 || if_indextoname(if_index, dp->port_ifname) == NULL) {
		dp->port_ifname[0] = '\0';
		return;
	}
	for (i = 0; i < 3; i++) {
		dp->port_sysctl_set[i] = dp_sysctl_swap(dp_port_sysctls[i][0], dp->port_ifname,
							dp_port_sysctls[i][1], old, sizeof(old));
		if (dp->port_sysctl_set[i])
			memcpy(dp->port_sysctl_old[i], old, sizeof(old));
	}
}

void dp_port_kernel_restore(struct dp *dp)
{
	char old[16];
	unsigned i;

	for (i = 0; i < 3; i++) {
		if (!dp->port_sysctl_set[i])
			continue;
		dp_sysctl_swap(dp_port_sysctls[i][0], dp->port_ifname, dp->port_sysctl_old[i], old,
			       sizeof(old));
		dp->port_sysctl_set[i] = false;
	}
}
