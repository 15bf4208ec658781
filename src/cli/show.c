/* show.c: what sitrep writes for a human reaches a terminal with every
 * control character shown visibly, as less shows them: titles, bodies and
 * messages from the store can neither clear the screen nor forge a line.
 * JSON output needs nothing of this: its writer escapes controls itself. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sitrep/buf.h"
#include "sitrep/utf8.h"
#include "sitrep/xalloc.h"

/*
 * less's notation, one convention for everything: a C0 control is ^ and
 * the letter (ESC ^[, CR ^M, BS ^H, BEL ^G), DEL is ^?, a C1 control
 * (U+0080..U+009F) is <U+009B>, and a byte that is not UTF-8 is <FF>. Tab
 * and newline stay what they are when lines is true (bodies, the output
 * as a whole) and are shown as ^I and ^J when not (a one-line field such
 * as a title). Everything else, any valid UTF-8, passes unchanged.
 */
void
cli_visible(struct buf *out, const char *s, size_t len, bool lines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = p[i];

		if (c < 0x20 || c == 0x7f) {
			if (lines && (c == '\n' || c == '\t'))
				buf_addch(out, (char)c);
			else {
				buf_addch(out, '^');
				buf_addch(out, c == 0x7f ? '?' : (char)(c + '@'));
			}
			i++;
		} else if (c < 0x80) {
			buf_addch(out, (char)c);
			i++;
		} else if ((n = utf8_seq_len(p + i, len - i)) == 0) {
			buf_addf(out, "<%02X>", c);
			i++;
		} else if (n == 2 && c == 0xc2 && p[i + 1] < 0xa0) {
			buf_addf(out, "<U+%04X>", p[i + 1]);
			i += 2;
		} else {
			buf_add(out, p + i, n);
			i += n;
		}
	}
}

char *
cli_visible_dup(const char *s, bool lines)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "");
	if (s != NULL)
		cli_visible(&b, s, strlen(s), lines);
	return buf_detach(&b);
}

/*
 * The streams: stdout and stderr are replaced by streams that pass what is
 * written through cli_visible (lines kept) to the same descriptors, so no
 * printf anywhere in the CLI can put a raw control on the screen. A UTF-8
 * sequence cut by the stdio buffer is held until its rest arrives.
 */
struct visible_stream {
	int fd;
	unsigned char held[4];
	size_t nheld;
};

static bool
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* How many bytes at the end of p (n long) start a UTF-8 sequence that
 * continues past it. */
static size_t
cut_sequence(const unsigned char *p, size_t n)
{
	for (size_t back = 1; back <= 3 && back <= n; back++) {
		unsigned char c = p[n - back];
		size_t want;

		if ((c & 0xc0) == 0x80)
			continue;
		want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		return want > back ? back : 0;
	}
	return 0;
}

static ssize_t
visible_write(void *cookie, const char *data, size_t size)
{
	struct visible_stream *vs = cookie;
	struct buf in = BUF_INIT, out = BUF_INIT;
	size_t keep;
	bool ok;

	buf_add(&in, vs->held, vs->nheld);
	buf_add(&in, data, size);
	keep = cut_sequence((const unsigned char *)in.ptr, in.len);
	cli_visible(&out, in.ptr, in.len - keep, true);
	memcpy(vs->held, in.ptr + in.len - keep, keep);
	vs->nheld = keep;
	ok = out.len == 0 || write_all(vs->fd, out.ptr, out.len);
	buf_release(&in);
	buf_release(&out);
	return ok ? (ssize_t)size : -1;
}

static int
visible_close(void *cookie)
{
	struct visible_stream *vs = cookie;
	struct buf out = BUF_INIT;

	if (vs->nheld > 0) {
		cli_visible(&out, (const char *)vs->held, vs->nheld, true);
		(void)write_all(vs->fd, out.ptr, out.len);
		buf_release(&out);
	}
	free(vs);
	return 0;
}

static FILE *
visible_stream(FILE *orig, int fd, int mode)
{
	cookie_io_functions_t io = { NULL, visible_write, NULL, visible_close };
	struct visible_stream *vs = xcalloc(1, sizeof(*vs));
	FILE *fp;

	vs->fd = fd;
	if ((fp = fopencookie(vs, "w", io)) == NULL) {
		free(vs);
		return orig;
	}
	setvbuf(fp, NULL, mode, BUFSIZ);
	fflush(orig);
	return fp;
}

static FILE *raw_stdout;

FILE *
cli_raw_stdout(void)
{
	return raw_stdout != NULL ? raw_stdout : stdout;
}

static FILE *raw_stderr;

/* At exit, before stdio flushes what is left: close the two streams (which
 * writes what they hold and frees their state) and put the originals back. */
static void
visible_streams_end(void)
{
	FILE *out = stdout, *err = stderr;

	if (raw_stdout == NULL)
		return;
	stdout = raw_stdout;
	stderr = raw_stderr;
	if (out != stdout)
		fclose(out);
	if (err != stderr)
		fclose(err);
	raw_stdout = NULL;
}

void
cli_visible_streams(void)
{
	if (raw_stdout != NULL)
		return;
	raw_stdout = stdout;
	raw_stderr = stderr;
	atexit(visible_streams_end);
	stdout = visible_stream(stdout, STDOUT_FILENO, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF);
	stderr = visible_stream(stderr, STDERR_FILENO, _IOLBF);
}
