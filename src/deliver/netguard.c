/* netguard.c: the address policy for connections made on a subscriber's
 * behalf: which IPv4 and IPv6 ranges are not the public Internet, the
 * delivery.allow exceptions, and the early check of a webhook URL. The
 * sockets themselves are the engine's (transfer.c checks each one). */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sitrep/err.h"
#include "sitrep/netguard.h"

struct range {
	unsigned char addr[16];
	int bits;
	const char *why;
};

/* RFC 6890 and the IANA special-purpose registries: what is not a
 * public unicast address. Checked in order; the first match names it. */
static const struct range v4_ranges[] = {
	{ { 0, 0, 0, 0 }, 8, "unspecified" },            /* "this network" */
	{ { 10, 0, 0, 0 }, 8, "private" },
	{ { 100, 64, 0, 0 }, 10, "shared address space (CGNAT)" },
	{ { 127, 0, 0, 0 }, 8, "loopback" },
	{ { 169, 254, 0, 0 }, 16, "link-local" },
	{ { 172, 16, 0, 0 }, 12, "private" },
	{ { 192, 0, 0, 0 }, 24, "reserved" },            /* IETF protocol assignments */
	{ { 192, 0, 2, 0 }, 24, "reserved" },            /* documentation */
	{ { 192, 88, 99, 0 }, 24, "reserved" },          /* 6to4 relay anycast */
	{ { 192, 168, 0, 0 }, 16, "private" },
	{ { 198, 18, 0, 0 }, 15, "reserved" },           /* benchmarking */
	{ { 198, 51, 100, 0 }, 24, "reserved" },         /* documentation */
	{ { 203, 0, 113, 0 }, 24, "reserved" },          /* documentation */
	{ { 224, 0, 0, 0 }, 4, "multicast" },
	{ { 255, 255, 255, 255 }, 32, "broadcast" },
	{ { 240, 0, 0, 0 }, 4, "reserved" },
};

static const struct range v6_ranges[] = {
	{ { 0 }, 128, "unspecified" },
	{ { [15] = 1 }, 128, "loopback" },
	{ { 0, 0x64, 0xff, 0x9b, 0, 1 }, 48, "private" }, /* local-use NAT64 */
	{ { 1, 0 }, 64, "reserved" },                     /* discard-only */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, "reserved" },   /* documentation */
	{ { 0x20, 0x01, 0x00, 0x00 }, 23, "reserved" },   /* IETF protocol (Teredo, ...) */
	{ { 0x3f, 0xff }, 20, "reserved" },               /* documentation (RFC 9637) */
	{ { 0xfc, 0 }, 7, "unique-local" },
	{ { 0xfe, 0x80 }, 10, "link-local" },
	{ { 0xfe, 0xc0 }, 10, "private" },                /* site-local, deprecated */
	{ { 0xff, 0 }, 8, "multicast" },
};

/* Whether the first bits of a and b are the same. */
static bool
prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)whole) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[whole] ^ b[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/*
 * The IPv4 address an IPv6 address carries, into v4, when it is one of the
 * forms that reach an IPv4 host: IPv4-mapped ::ffff:a.b.c.d, the
 * IPv4-translated ::ffff:0:a.b.c.d, the deprecated IPv4-compatible
 * ::a.b.c.d, NAT64's 64:ff9b::a.b.c.d, and 6to4's 2002:aabb:ccdd::/48.
 */
static bool
embedded_v4(unsigned char v4[4], const unsigned char *a)
{
	static const unsigned char zero[12];
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const unsigned char translated[12] = { [8] = 0xff, [9] = 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };

	if (memcmp(a, mapped, 12) == 0 || memcmp(a, translated, 12) == 0 ||
	    memcmp(a, nat64, 12) == 0 || memcmp(a, zero, 12) == 0) {
		memcpy(v4, a + 12, 4);
		return true;
	}
	if (a[0] == 0x20 && a[1] == 0x02) {
		memcpy(v4, a + 2, 4);
		return true;
	}
	return false;
}

static const char *
classify_v4(const unsigned char *a)
{
	for (size_t i = 0; i < sizeof(v4_ranges) / sizeof(v4_ranges[0]); i++)
		if (prefix_match(a, v4_ranges[i].addr, v4_ranges[i].bits))
			return v4_ranges[i].why;
	return NULL;
}

const char *
netguard_classify(int family, const unsigned char *addr)
{
	unsigned char v4[4];

	if (family == AF_INET)
		return classify_v4(addr);
	if (family != AF_INET6)
		return "not an Internet address";
	/* :: and ::1 before the IPv4-compatible form that would take them */
	for (size_t i = 0; i < 2; i++)
		if (prefix_match(addr, v6_ranges[i].addr, v6_ranges[i].bits))
			return v6_ranges[i].why;
	if (embedded_v4(v4, addr))
		return classify_v4(v4);
	for (size_t i = 2; i < sizeof(v6_ranges) / sizeof(v6_ranges[0]); i++)
		if (prefix_match(addr, v6_ranges[i].addr, v6_ranges[i].bits))
			return v6_ranges[i].why;
	return NULL;
}

static bool
in_list(const struct netguard_cidr *allow, size_t n, int family, const unsigned char *addr)
{
	for (size_t i = 0; i < n; i++)
		if (allow[i].family == family && prefix_match(addr, allow[i].addr, allow[i].bits))
			return true;
	return false;
}

bool
netguard_allowed(const struct netguard_cidr *allow, size_t n, int family,
		 const unsigned char *addr)
{
	unsigned char v4[4];

	if (in_list(allow, n, family, addr))
		return true;
	return family == AF_INET6 && embedded_v4(v4, addr) && in_list(allow, n, AF_INET, v4);
}

int
netguard_cidr_parse(struct netguard_cidr *out, const char *text)
{
	char host[INET6_ADDRSTRLEN + 1], *end;
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	long bits;
	int max;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, text, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else
		goto bad;
	out->bits = max;
	if (slash != NULL) {
		if (!isdigit((unsigned char)slash[1]))
			goto bad;
		bits = strtol(slash + 1, &end, 10);
		if (*end != '\0' || bits < 0 || bits > max)
			goto bad;
		out->bits = (int)bits;
	}
	for (int b = out->bits; b < max; b++)
		if (out->addr[b / 8] & (0x80 >> (b % 8)))
			return err_set(SR_EINVALID, "'%s' has bits set below its /%d prefix: "
				       "write the network's first address", text, out->bits);
	return 0;
bad:
	return err_set(SR_EINVALID, "'%s' is not an address range like \"127.0.0.1/32\" "
		       "or \"fd00::/8\"", text);
}

int
netguard_check_sockaddr(const struct sockaddr *sa, size_t len,
			const struct netguard_cidr *allow, size_t n)
{
	char text[INET6_ADDRSTRLEN];
	const unsigned char *addr;
	const char *why;
	int family = sa->sa_family;

	if (family == AF_INET && len >= sizeof(struct sockaddr_in))
		addr = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
		addr = (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	else
		return err_set(SR_EREFUSED, "a connection that is not over IPv4 or IPv6 "
			       "is not allowed");
	if ((why = netguard_classify(family, addr)) == NULL || netguard_allowed(allow, n, family, addr))
		return 0;
	inet_ntop(family, addr, text, sizeof(text));
	return err_set(SR_EREFUSED, "address %s is not allowed (%s); see delivery.allow "
		       "in sitrep.conf(5)", text, why);
}

/* The host of a literal address in any form inet_aton and inet_pton take,
 * into family and addr; false when it is a name. */
static bool
literal_address(int *family, unsigned char addr[16], const char *host)
{
	struct in_addr in;

	if (inet_pton(AF_INET6, host, addr) == 1) {
		*family = AF_INET6;
		return true;
	}
	/* inet_aton takes what URL parsers and resolvers take: "0",
	 * "127.1", "0x7f.0.0.1", "2130706433", "0177.0.0.1". */
	if (inet_aton(host, &in) != 0) {
		*family = AF_INET;
		memcpy(addr, &in, 4);
		return true;
	}
	return false;
}

int
netguard_check_url(const char *url, const struct netguard_cidr *allow, size_t n)
{
	const char *auth, *end, *h, *colon = NULL;
	char host[256];
	unsigned char addr[16];
	size_t hlen;
	int family;
	const char *why;

	if (strncasecmp(url, "https://", 8) == 0)
		auth = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		auth = url + 7;
	else
		return err_set(SR_EUSAGE, "webhook URL '%s' must start with http:// or https://",
			       url);
	end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		return err_set(SR_EREFUSED, "webhook URL '%s' has a user name or password "
			       "(user:password@host); a webhook is authenticated by its "
			       "signature: remove it", url);
	h = auth;
	if (*h == '[') {
		const char *close = memchr(h, ']', (size_t)(end - h));

		if (close == NULL)
			return err_set(SR_EUSAGE, "webhook URL '%s' has an unclosed '['", url);
		hlen = (size_t)(close - h - 1);
		h++;
		if (close[1] == ':')
			colon = close + 1;
		else if (close + 1 != end)
			return err_set(SR_EUSAGE, "webhook URL '%s' has text after its "
				       "IPv6 address", url);
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		hlen = (size_t)((colon ? colon : end) - h);
	}
	if (hlen == 0)
		return err_set(SR_EUSAGE, "webhook URL '%s' names no host", url);
	if (hlen >= sizeof(host))
		return err_set(SR_EUSAGE, "webhook URL '%s' has a host name longer than "
			       "255 characters", url);
	if (colon != NULL) {
		const char *p = colon + 1;
		long port = 0;

		if (p == end)
			return err_set(SR_EUSAGE, "webhook URL '%s' has an empty port", url);
		for (; p < end; p++) {
			if (!isdigit((unsigned char)*p) || (port = port * 10 + (*p - '0')) > 65535)
				return err_set(SR_EUSAGE, "webhook URL '%s' has a port that "
					       "is not a number from 1 to 65535", url);
		}
		if (port == 0)
			return err_set(SR_EUSAGE, "webhook URL '%s' has a port that is not "
				       "a number from 1 to 65535", url);
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (strchr(host, '%') != NULL)
		return err_set(SR_EUSAGE, "webhook URL '%s' has a '%%' in its host: write "
			       "the host as it is", url);
	/* "localhost." is localhost too */
	if (hlen > 1 && host[hlen - 1] == '.')
		host[--hlen] = '\0';
	if (literal_address(&family, addr, host)) {
		if ((why = netguard_classify(family, addr)) != NULL &&
		    !netguard_allowed(allow, n, family, addr))
			return err_set(SR_EREFUSED, "webhook URL '%s': address %s is not "
				       "allowed (%s); see delivery.allow in sitrep.conf(5)",
				       url, host, why);
		return 0;
	}
	if (strcasecmp(host, "localhost") == 0 ||
	    (hlen > 10 && strcasecmp(host + hlen - 10, ".localhost") == 0)) {
		static const unsigned char lo4[4] = { 127, 0, 0, 1 };
		static const unsigned char lo6[16] = { [15] = 1 };

		if (!netguard_allowed(allow, n, AF_INET, lo4) &&
		    !netguard_allowed(allow, n, AF_INET6, lo6))
			return err_set(SR_EREFUSED, "webhook URL '%s': host %s is not "
				       "allowed (loopback); see delivery.allow in sitrep.conf(5)",
				       url, host);
	}
	return 0;
}
