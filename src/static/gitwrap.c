/* gitwrap.c: for the opt-in static CLI (make STATIC_CLI=1) only: the link
 * wraps two of libgit2's start-up functions (ld --wrap, see the Makefile)
 * so that they do nothing; the link checks that libgit2 calls them.
 *
 * git_libgit2_init() readies libgit2's network transports: Debian's 1.5
 * build parses the whole system CA bundle into mbedTLS (about 140
 * certificates), gathers entropy for its random generator, and starts
 * libssh2 and OpenSSL, about 7 ms of every process that opens a
 * repository. sitrep reads local repositories only and never opens an
 * HTTPS or SSH remote: a libgit2 built without HTTPS and SSH would skip
 * them too. Nothing else in sitrep uses mbedTLS's TLS or libssh2: libcurl
 * is built with OpenSSL and starts it itself. */
int __wrap_git_mbedtls_stream_global_init(void);
int __wrap_git_transport_ssh_global_init(void);

int
__wrap_git_mbedtls_stream_global_init(void)
{
	return 0;
}

int
__wrap_git_transport_ssh_global_init(void)
{
	return 0;
}
