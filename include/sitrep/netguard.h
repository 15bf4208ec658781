/* netguard.h: where the delivery engine may connect on a subscriber's
 * behalf. An address is refused when it is not on the public Internet
 * (loopback, private, link-local, CGNAT, multicast, reserved, unique-local,
 * and the IPv6 forms that carry such an IPv4 address) unless the site's
 * delivery.allow list names it. Pure functions: the sockets are
 * the engine's (transfer.c), the list is the site config's. */
#ifndef SITREP_NETGUARD_H
#define SITREP_NETGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* One entry of delivery.allow: an address and a prefix length. */
struct netguard_cidr {
	int family;              /* AF_INET or AF_INET6 */
	unsigned char addr[16];  /* network byte order; 4 bytes for AF_INET */
	int bits;
};

/* "10.0.0.0/8", "::1/128", or a bare address (all its bits). Bits below
 * the prefix must be zero. 0, or SR_EINVALID with err_last() saying why. */
int netguard_cidr_parse(struct netguard_cidr *out, const char *text);

/*
 * Why an address may not be connected to: NULL for a public address, else
 * a word or two for the message ("loopback", "private", "link-local",
 * "unspecified", "multicast", "shared address space (CGNAT)", "reserved",
 * "unique-local", "broadcast"). IPv4-mapped, IPv4-compatible, NAT64 and
 * 6to4 IPv6 addresses are judged by the IPv4 address they carry. family is
 * AF_INET (addr 4 bytes) or AF_INET6 (16 bytes).
 */
const char *netguard_classify(int family, const unsigned char *addr);

/* Whether an entry of allow (n of them) holds the address, or, for an IPv6
 * form carrying an IPv4 address, the IPv4 address it carries. */
bool netguard_allowed(const struct netguard_cidr *allow, size_t n, int family,
		      const unsigned char *addr);

/*
 * The verdict on a socket address about to be connected to: 0 when it may
 * be, else SR_EREFUSED with err_last() saying "address 10.0.0.1 is not
 * allowed (private); see delivery.allow in sitrep.conf(5)". A family
 * other than IPv4 and IPv6 is refused.
 */
int netguard_check_sockaddr(const struct sockaddr *sa, size_t len,
			    const struct netguard_cidr *allow, size_t n);

/*
 * The subscribe-time check of a webhook URL, before anything is stored:
 * http:// or https:// only, no user:password@, a port from 1 to 65535, and
 * a host that is not a literal refused address (in any spelling inet_aton
 * takes: "0", "127.1", "0x7f.0.0.1") nor localhost. The connect-time check
 * is the one that counts (a name may resolve anywhere); this one says at
 * once what is obviously wrong. SR_EUSAGE with the reason.
 */
int netguard_check_url(const char *url, const struct netguard_cidr *allow, size_t n);

#endif
