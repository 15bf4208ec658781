/* test_netguard.c: the address policy for subscribers' webhooks: every
 * refused IPv4 and IPv6 range at its edges, the IPv6 forms that carry an
 * IPv4 address, delivery.allow entries, and the subscribe-time URL check. */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "sitrep/err.h"
#include "sitrep/netguard.h"

/* The verdict on a textual address: NULL when public. */
static const char *
why(const char *text)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, text, a) == 1)
		return netguard_classify(AF_INET, a);
	assert_int_equal(inet_pton(AF_INET6, text, a), 1);
	return netguard_classify(AF_INET6, a);
}

#define REFUSED(text, word) assert_string_equal(why(text), word)
#define PUBLIC(text) assert_null(why(text))

static void
test_ipv4_ranges(void **state)
{
	(void)state;
	REFUSED("0.0.0.0", "unspecified");
	REFUSED("0.255.255.255", "unspecified");
	PUBLIC("1.0.0.0");
	PUBLIC("9.255.255.255");
	REFUSED("10.0.0.0", "private");
	REFUSED("10.0.0.1", "private");
	REFUSED("10.255.255.255", "private");
	PUBLIC("11.0.0.0");
	PUBLIC("100.63.255.255");
	REFUSED("100.64.0.0", "shared address space (CGNAT)");
	REFUSED("100.127.255.255", "shared address space (CGNAT)");
	PUBLIC("100.128.0.0");
	PUBLIC("126.255.255.255");
	REFUSED("127.0.0.1", "loopback");
	REFUSED("127.255.255.254", "loopback");
	PUBLIC("128.0.0.0");
	PUBLIC("169.253.255.255");
	REFUSED("169.254.169.254", "link-local");
	PUBLIC("169.255.0.0");
	PUBLIC("172.15.255.255");
	REFUSED("172.16.0.0", "private");
	REFUSED("172.31.255.255", "private");
	PUBLIC("172.32.0.0");
	REFUSED("192.0.0.8", "reserved");
	REFUSED("192.0.2.1", "reserved");
	REFUSED("192.88.99.1", "reserved");
	PUBLIC("192.167.255.255");
	REFUSED("192.168.0.1", "private");
	REFUSED("192.168.255.255", "private");
	PUBLIC("192.169.0.0");
	REFUSED("198.18.0.1", "reserved");
	REFUSED("198.19.255.255", "reserved");
	PUBLIC("198.20.0.0");
	REFUSED("198.51.100.7", "reserved");
	REFUSED("203.0.113.9", "reserved");
	PUBLIC("223.255.255.255");
	REFUSED("224.0.0.1", "multicast");
	REFUSED("239.255.255.255", "multicast");
	REFUSED("240.0.0.1", "reserved");
	REFUSED("255.255.255.254", "reserved");
	REFUSED("255.255.255.255", "broadcast");
	PUBLIC("8.8.8.8");
	PUBLIC("93.184.216.34");
}

static void
test_ipv6_ranges(void **state)
{
	(void)state;
	REFUSED("::", "unspecified");
	REFUSED("::1", "loopback");
	REFUSED("fe80::1", "link-local");
	REFUSED("febf:ffff::1", "link-local");
	REFUSED("fec0::1", "private");
	REFUSED("fc00::1", "unique-local");
	REFUSED("fd12:3456:789a::1", "unique-local");
	PUBLIC("fbff:ffff::1");
	REFUSED("ff02::1", "multicast");
	REFUSED("ff05::1:3", "multicast");
	REFUSED("2001:db8::1", "reserved");
	REFUSED("2001::1", "reserved");           /* Teredo */
	REFUSED("100::1", "reserved");
	REFUSED("64:ff9b:1::1", "private");
	REFUSED("3fff::1", "reserved");
	PUBLIC("2001:4860:4860::8888");
	PUBLIC("2606:4700:4700::1111");
	PUBLIC("2a00:1450:4001:80b::200e");
}

/* The forms that reach an IPv4 host are judged by the host. */
static void
test_ipv6_carrying_ipv4(void **state)
{
	(void)state;
	REFUSED("::ffff:127.0.0.1", "loopback");      /* mapped */
	REFUSED("::ffff:10.0.0.1", "private");
	REFUSED("::ffff:169.254.169.254", "link-local");
	REFUSED("::ffff:0.0.0.0", "unspecified");
	PUBLIC("::ffff:8.8.8.8");
	REFUSED("::ffff:0:127.0.0.1", "loopback");    /* translated */
	REFUSED("::127.0.0.1", "loopback");           /* compatible */
	REFUSED("::10.1.2.3", "private");
	PUBLIC("::8.8.8.8");
	REFUSED("64:ff9b::10.0.0.1", "private");      /* NAT64 */
	REFUSED("64:ff9b::a9fe:a9fe", "link-local");
	PUBLIC("64:ff9b::8.8.8.8");
	REFUSED("2002:7f00:1::", "loopback");         /* 6to4 */
	REFUSED("2002:c0a8:101::1", "private");
	PUBLIC("2002:808:808::1");
}

static void
test_cidr_parse(void **state)
{
	struct netguard_cidr c;

	(void)state;
	assert_int_equal(netguard_cidr_parse(&c, "127.0.0.1/32"), 0);
	assert_int_equal(c.family, AF_INET);
	assert_int_equal(c.bits, 32);
	assert_int_equal(netguard_cidr_parse(&c, "10.0.0.0/8"), 0);
	assert_int_equal(c.bits, 8);
	assert_int_equal(netguard_cidr_parse(&c, "::1/128"), 0);
	assert_int_equal(c.family, AF_INET6);
	assert_int_equal(netguard_cidr_parse(&c, "fd00::/8"), 0);
	assert_int_equal(netguard_cidr_parse(&c, "192.168.1.7"), 0);
	assert_int_equal(c.bits, 32);
	assert_int_equal(netguard_cidr_parse(&c, "0.0.0.0/0"), 0);
	assert_int_equal(netguard_cidr_parse(&c, "10.0.0.1/8"), SR_EINVALID);
	assert_string_equal(err_last(), "'10.0.0.1/8' has bits set below its /8 prefix: "
			    "write the network's first address");
	assert_int_equal(netguard_cidr_parse(&c, "10.0.0.0/33"), SR_EINVALID);
	assert_string_equal(err_last(), "'10.0.0.0/33' is not an address range like "
			    "\"127.0.0.1/32\" or \"fd00::/8\"");
	assert_int_equal(netguard_cidr_parse(&c, "::/129"), SR_EINVALID);
	assert_int_equal(netguard_cidr_parse(&c, "localhost/8"), SR_EINVALID);
	assert_int_equal(netguard_cidr_parse(&c, "10.0.0.0/"), SR_EINVALID);
	assert_int_equal(netguard_cidr_parse(&c, "10.0.0.0/-1"), SR_EINVALID);
	assert_int_equal(netguard_cidr_parse(&c, "10.0.0.0/8x"), SR_EINVALID);
	assert_int_equal(netguard_cidr_parse(&c, ""), SR_EINVALID);
	assert_int_equal(netguard_cidr_parse(&c, "127.1/32"), SR_EINVALID);
}

static void
sockaddr4(struct sockaddr_in *sa, const char *text)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(80);
	assert_int_equal(inet_pton(AF_INET, text, &sa->sin_addr), 1);
}

static void
sockaddr6(struct sockaddr_in6 *sa, const char *text)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin6_family = AF_INET6;
	sa->sin6_port = htons(80);
	assert_int_equal(inet_pton(AF_INET6, text, &sa->sin6_addr), 1);
}

static void
test_allow_list(void **state)
{
	struct netguard_cidr allow[2];
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;

	(void)state;
	assert_int_equal(netguard_cidr_parse(&allow[0], "127.0.0.1/32"), 0);
	assert_int_equal(netguard_cidr_parse(&allow[1], "fd00::/8"), 0);
	sockaddr4(&v4, "10.0.0.1");
	assert_int_equal(netguard_check_sockaddr((struct sockaddr *)&v4, sizeof(v4), allow, 2),
			 SR_EREFUSED);
	assert_string_equal(err_last(), "address 10.0.0.1 is not allowed (private); see "
			    "delivery.allow in sitrep.conf(5)");
	/* with no list, even loopback is refused */
	sockaddr4(&v4, "127.0.0.1");
	assert_int_equal(netguard_check_sockaddr((struct sockaddr *)&v4, sizeof(v4), NULL, 0),
			 SR_EREFUSED);
	assert_string_equal(err_last(), "address 127.0.0.1 is not allowed (loopback); see "
			    "delivery.allow in sitrep.conf(5)");
	assert_int_equal(netguard_check_sockaddr((struct sockaddr *)&v4, sizeof(v4), allow, 2), 0);
	sockaddr4(&v4, "127.0.0.2");
	assert_int_equal(netguard_check_sockaddr((struct sockaddr *)&v4, sizeof(v4), allow, 2),
			 SR_EREFUSED);
	sockaddr4(&v4, "8.8.8.8");
	assert_int_equal(netguard_check_sockaddr((struct sockaddr *)&v4, sizeof(v4), NULL, 0), 0);
	/* the mapped form of an allowed IPv4 address is allowed too */
	sockaddr6(&v6, "::ffff:127.0.0.1");
	assert_int_equal(netguard_check_sockaddr((struct sockaddr *)&v6, sizeof(v6), allow, 2), 0);
	sockaddr6(&v6, "::1");
	assert_int_equal(netguard_check_sockaddr((struct sockaddr *)&v6, sizeof(v6), allow, 2),
			 SR_EREFUSED);
	assert_string_equal(err_last(), "address ::1 is not allowed (loopback); see "
			    "delivery.allow in sitrep.conf(5)");
	sockaddr6(&v6, "fd00::5");
	assert_int_equal(netguard_check_sockaddr((struct sockaddr *)&v6, sizeof(v6), allow, 2), 0);
	sockaddr6(&v6, "fe80::1");
	assert_int_equal(netguard_check_sockaddr((struct sockaddr *)&v6, sizeof(v6), allow, 2),
			 SR_EREFUSED);
	/* a short length or another family is refused */
	assert_int_equal(netguard_check_sockaddr((struct sockaddr *)&v4, 4, allow, 2), SR_EREFUSED);
	v4.sin_family = AF_UNIX;
	assert_int_equal(netguard_check_sockaddr((struct sockaddr *)&v4, sizeof(v4), allow, 2),
			 SR_EREFUSED);
}

#define URL_OK(u) assert_int_equal(netguard_check_url(u, NULL, 0), 0)
/* refused: SR_EUSAGE when malformed, SR_EREFUSED when well formed but not
 * taken (a private address, a user name) */
#define URL_BAD(u) assert_true(netguard_check_url(u, NULL, 0) < 0)

static void
test_url_check(void **state)
{
	struct netguard_cidr lo;

	(void)state;
	URL_OK("https://hooks.example.com/x");
	URL_OK("http://hooks.example.com:8080/x?y=1");
	URL_OK("https://93.184.216.34/x");
	URL_OK("https://[2606:4700:4700::1111]:443/x");
	URL_OK("HTTPS://hooks.example.com");
	URL_BAD("ftp://hooks.example.com/x");
	URL_BAD("file:///etc/passwd");
	URL_BAD("gopher://127.0.0.1:25/");
	URL_BAD("http://169.254.169.254/latest/meta-data/");
	assert_string_equal(err_last(), "webhook URL 'http://169.254.169.254/latest/meta-data/': "
			    "address 169.254.169.254 is not allowed (link-local); see "
			    "delivery.allow in sitrep.conf(5)");
	URL_BAD("http://10.0.0.1/x");
	URL_BAD("http://127.0.0.1:22/");
	URL_BAD("http://[::1]/x");
	URL_BAD("http://[::ffff:127.0.0.1]/x");
	URL_BAD("http://[fd00::1]:8080/x");
	URL_BAD("http://0/x");
	URL_BAD("http://0:8080/x");
	URL_BAD("http://127.1/x");
	URL_BAD("http://2130706433/x");
	URL_BAD("http://0x7f.0.0.1/x");
	URL_BAD("http://0177.0.0.1/x");
	URL_BAD("http://100.64.1.1/x");
	URL_BAD("http://localhost/x");
	assert_string_equal(err_last(), "webhook URL 'http://localhost/x': host localhost is "
			    "not allowed (loopback); see delivery.allow in sitrep.conf(5)");
	URL_BAD("http://LOCALHOST./x");
	URL_BAD("http://app.localhost:3000/x");
	URL_BAD("http://user:pass@hooks.example.com/x");
	assert_string_equal(err_last(), "webhook URL 'http://user:pass@hooks.example.com/x' has "
			    "a user name or password (user:password@host); a webhook is "
			    "authenticated by its signature: remove it");
	URL_BAD("http://hooks.example.com@127.0.0.1/x");
	URL_BAD("http://%31%32%37.0.0.1/x");
	URL_BAD("http:///x");
	URL_BAD("http://:80/x");
	URL_BAD("http://hooks.example.com:0/x");
	URL_BAD("http://hooks.example.com:65536/x");
	URL_BAD("http://hooks.example.com:/x");
	URL_BAD("http://hooks.example.com:80a/x");
	URL_BAD("http://[::1/x");
	URL_BAD("http://[2606:4700::1]x/");
	/* an '@' after the path is not userinfo */
	URL_OK("https://hooks.example.com/a@b");
	/* allow-listed: loopback literals and localhost pass */
	assert_int_equal(netguard_cidr_parse(&lo, "127.0.0.0/8"), 0);
	assert_int_equal(netguard_check_url("http://127.0.0.1:9/x", &lo, 1), 0);
	assert_int_equal(netguard_check_url("http://localhost:9/x", &lo, 1), 0);
	assert_int_equal(netguard_check_url("http://[::ffff:127.0.0.1]:9/x", &lo, 1), 0);
	assert_int_equal(netguard_check_url("http://10.0.0.1/x", &lo, 1), SR_EREFUSED);
	assert_int_equal(netguard_check_url("http://user:pass@hooks.example.com/x", NULL, 0),
			 SR_EREFUSED);
	assert_int_equal(netguard_check_url("ftp://hooks.example.com/x", NULL, 0), SR_EUSAGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_ranges),
		cmocka_unit_test(test_ipv6_ranges),
		cmocka_unit_test(test_ipv6_carrying_ipv4),
		cmocka_unit_test(test_cidr_parse),
		cmocka_unit_test(test_allow_list),
		cmocka_unit_test(test_url_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
