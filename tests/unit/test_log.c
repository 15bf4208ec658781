/* test_log.c: a log line says who, what level and what, one line each;
 * log_debug only when verbose; log_warn adds strerror(errno) and keeps
 * errno; lines from several threads never interleave; fatalx exits 70.
 * stderr is sent to a temporary file and read back. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/wait.h>

#include "sitrep/log.h"

static int saved_stderr = -1;
static char path[4096];

/* stderr to a fresh empty file until stop_capture. */
static void
start_capture(void)
{
	char *dir = testutil_tmpdir();
	int fd;

	snprintf(path, sizeof(path), "%s/stderr", dir);
	free(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	saved_stderr = dup(STDERR_FILENO);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

/* What was written; the caller frees it. */
static char *
stop_capture(void)
{
	FILE *fp;
	char *text;
	long n;

	assert_int_equal(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
	close(saved_stderr);
	fp = fopen(path, "r");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	text = malloc((size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
	text[n] = '\0';
	fclose(fp);
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	return text;
}

static void
test_levels(void **state)
{
	char *out;

	(void)state;
	log_init("tester");
	log_setverbose(0);
	start_capture();
	log_errorx("cannot %s", "start");
	log_warnx("row %d", 7);
	log_info("started");
	log_debug("not shown");
	log_setverbose(1);
	log_debug("shown %s", "now");
	errno = ENOENT;
	log_warn("open 'x'");
	assert_int_equal(errno, ENOENT);
	out = stop_capture();
	assert_string_equal(out, "tester: error: cannot start\n"
			    "tester: warning: row 7\n"
			    "tester: started\n"
			    "tester: debug: shown now\n"
			    "tester: warning: open 'x': No such file or directory\n");
	assert_int_equal(log_getverbose(), 1);
	log_setverbose(0);
	free(out);
}

/* A line longer than the buffer is cut short, still one line. */
static void
test_long_line(void **state)
{
	char *big = malloc(10000), *out;

	(void)state;
	memset(big, 'x', 9999);
	big[9999] = '\0';
	log_init("tester");
	start_capture();
	log_info("%s", big);
	log_info("after");
	out = stop_capture();
	assert_non_null(strstr(out, "xxx\ntester: after\n"));
	assert_ptr_equal(strchr(out, '\n'), strstr(out, "\ntester: after\n"));
	free(big);
	free(out);
}

#define THREADS 4
#define LINES 300

static void *
writer(void *arg)
{
	char fill[1500];
	int id = (int)(intptr_t)arg;

	memset(fill, 'a' + id, sizeof(fill) - 1);
	fill[sizeof(fill) - 1] = '\0';
	for (int i = 0; i < LINES; i++)
		log_warnx("T%d %s", id, fill);
	return NULL;
}

/* Every line whole: its thread's letter throughout, its full length. */
static void
test_threads(void **state)
{
	pthread_t t[THREADS];
	char *out, *line, *save = NULL;
	int count = 0;

	(void)state;
	log_init("tester");
	start_capture();
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	out = stop_capture();
	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		int id;

		assert_int_equal(sscanf(line, "tester: warning: T%d ", &id), 1);
		assert_int_equal(strlen(line), strlen("tester: warning: T0 ") + 1499);
		assert_int_equal(strspn(line + strlen("tester: warning: T0 "),
					(char[]){ (char)('a' + id), '\0' }), 1499);
		count++;
	}
	assert_int_equal(count, THREADS * LINES);
	free(out);
}

static void
test_fatalx_exits(void **state)
{
	int fds[2], status;
	char buf[256] = "";
	ssize_t n;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		log_init("tester");
		fatalx("cannot go on: %d", 42);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 70);
	assert_string_equal(buf, "tester: fatal: cannot go on: 42\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_fatalx_exits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
