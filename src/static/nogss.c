/* nogss.c: the GSSAPI functions libgit2 refers to, answering "not
 * available". Debian's libgit2 is built with SPNEGO ("Negotiate") for HTTP
 * remotes, so linking it pulls in Kerberos: seven shared libraries that
 * every sitrep command spent about 2 ms loading (bench/incident.sh), for a
 * feature sitrep never uses: it reads local playbook repositories only,
 * like a libgit2 built with USE_GSSAPI=OFF. Should a remote ever ask for
 * Negotiate, libgit2 gets GSS_S_FAILURE and reports that the mechanism is
 * unavailable. The signatures follow RFC 2744; no gssapi.h is installed.
 * Linked into the opt-in static CLI only (make STATIC_CLI=1): the ordinary
 * build loads libgit2 as a shared library, Kerberos and all. */
#include <stddef.h>
#include <stdint.h>

typedef uint32_t gss_uint32;

/* RFC 2744's gss_buffer_desc and gss_OID_desc. */
struct nogss_buffer {
	size_t length;
	void *value;
};

struct nogss_oid {
	gss_uint32 length;
	void *elements;
};

#define NOGSS_FAILURE ((gss_uint32)13 << 16) /* GSS_S_FAILURE */

/* 1.2.840.113554.1.2.1.4, as RFC 2744 defines it. */
static unsigned char nogss_hostbased_bytes[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x01, 0x04
};
static struct nogss_oid nogss_hostbased = { 10, nogss_hostbased_bytes };
struct nogss_oid *GSS_C_NT_HOSTBASED_SERVICE = &nogss_hostbased;

gss_uint32 gss_indicate_mechs(gss_uint32 *, void **);
gss_uint32 gss_import_name(gss_uint32 *, void *, void *, void **);
gss_uint32 gss_init_sec_context(gss_uint32 *, void *, void **, void *, void *,
				gss_uint32, gss_uint32, void *, void *, void **,
				struct nogss_buffer *, gss_uint32 *, gss_uint32 *);
gss_uint32 gss_delete_sec_context(gss_uint32 *, void **, struct nogss_buffer *);
gss_uint32 gss_display_status(gss_uint32 *, gss_uint32, int, void *, gss_uint32 *,
			      struct nogss_buffer *);
gss_uint32 gss_release_buffer(gss_uint32 *, struct nogss_buffer *);
gss_uint32 gss_release_name(gss_uint32 *, void **);
gss_uint32 gss_release_oid_set(gss_uint32 *, void **);

static gss_uint32
nogss_fail(gss_uint32 *minor)
{
	if (minor != NULL)
		*minor = 0;
	return NOGSS_FAILURE;
}

static gss_uint32
nogss_ok(gss_uint32 *minor)
{
	if (minor != NULL)
		*minor = 0;
	return 0;
}

gss_uint32
gss_indicate_mechs(gss_uint32 *minor, void **set)
{
	if (set != NULL)
		*set = NULL;
	return nogss_fail(minor);
}

gss_uint32
gss_import_name(gss_uint32 *minor, void *in, void *type, void **out)
{
	(void)in;
	(void)type;
	if (out != NULL)
		*out = NULL;
	return nogss_fail(minor);
}

gss_uint32
gss_init_sec_context(gss_uint32 *minor, void *cred, void **ctx, void *target,
		     void *mech, gss_uint32 flags, gss_uint32 time, void *chan,
		     void *input, void **actual, struct nogss_buffer *output,
		     gss_uint32 *ret_flags, gss_uint32 *time_rec)
{
	(void)cred;
	(void)ctx;
	(void)target;
	(void)mech;
	(void)flags;
	(void)time;
	(void)chan;
	(void)input;
	if (actual != NULL)
		*actual = NULL;
	if (output != NULL) {
		output->length = 0;
		output->value = NULL;
	}
	if (ret_flags != NULL)
		*ret_flags = 0;
	if (time_rec != NULL)
		*time_rec = 0;
	return nogss_fail(minor);
}

gss_uint32
gss_delete_sec_context(gss_uint32 *minor, void **ctx, struct nogss_buffer *out)
{
	if (ctx != NULL)
		*ctx = NULL;
	if (out != NULL) {
		out->length = 0;
		out->value = NULL;
	}
	return nogss_ok(minor);
}

gss_uint32
gss_display_status(gss_uint32 *minor, gss_uint32 status, int type, void *mech,
		   gss_uint32 *more, struct nogss_buffer *text)
{
	(void)status;
	(void)type;
	(void)mech;
	if (more != NULL)
		*more = 0;
	if (text != NULL) {
		text->length = 0;
		text->value = NULL;
	}
	return nogss_ok(minor);
}

gss_uint32
gss_release_buffer(gss_uint32 *minor, struct nogss_buffer *buf)
{
	if (buf != NULL) {
		buf->length = 0;
		buf->value = NULL;
	}
	return nogss_ok(minor);
}

gss_uint32
gss_release_name(gss_uint32 *minor, void **name)
{
	if (name != NULL)
		*name = NULL;
	return nogss_ok(minor);
}

gss_uint32
gss_release_oid_set(gss_uint32 *minor, void **set)
{
	if (set != NULL)
		*set = NULL;
	return nogss_ok(minor);
}
