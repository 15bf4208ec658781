/* cmd-init.c: `sitrep init [DIR]`: a new workspace with a commented config,
 * a migrated database, and a playbook repository whose first commit holds
 * the playbooks shipped with sitrep. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "sitrep/conf.h"
#include "sitrep/digest.h"
#include "sitrep/err.h"
#include "sitrep/repo.h"
#include "sitrep/shipped.h"
#include "sitrep/store.h"
#include "sitrep/xalloc.h"

static int init_exec(struct cli *, struct cli_args *);

static const struct cli_option init_options[] = {
	{ "force", 'f', false, NULL },
	{ NULL, 0, false, NULL }
};

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.usage = "[DIR] [--force]",
	.summary = "create a workspace: config, database, playbook repository",
	.help = "Create a workspace in DIR (default: the current directory): sitrep.conf\n"
	"with comments on every setting, sitrep.db, and playbooks/, a git\n"
	"repository whose first commit holds the playbooks shipped with sitrep.\n"
	"An existing workspace is left alone unless --force: then the config is\n"
	"rewritten, the database is migrated and kept, and an existing playbook\n"
	"repository is kept with its history. DIR/paging.key, the key that signs\n"
	"acknowledgement links in pages (mode 0600), is written when absent and\n"
	"otherwise kept.\n"
	"\n"
	"  -f, --force  rewrite the config of an existing workspace",
	.options = init_options,
	.exec = init_exec,
};

static bool
path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return err_set(SR_ESYS, "cannot write '%s': %s", path, strerror(errno));
	fputs(text, fp);
	if (fclose(fp) != 0)
		return err_set(SR_ESYS, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

/*
 * The key that signs acknowledgement links (paging.link_key_file): 32
 * random bytes as 64 hex digits, readable by the owner only. An existing
 * key is kept: links already sent keep working. *made says whether it was
 * written now.
 */
static int
write_paging_key(const char *path, bool *made)
{
	unsigned char key[32];
	char hex[2 * sizeof(key) + 1];
	ssize_t n;
	int fd, rc;

	*made = false;
	if (path_exists(path))
		return 0;
	if ((rc = digest_random(key, sizeof(key), "the paging key")) != 0)
		return rc;
	digest_hex(hex, key, sizeof(key));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(SR_ESYS, "cannot write '%s': %s", path, strerror(errno));
	n = write(fd, hex, strlen(hex));
	if (n != (ssize_t)strlen(hex) || close(fd) != 0) {
		rc = err_set(SR_ESYS, "cannot write '%s': %s", path,
			     n < 0 ? strerror(errno) : "short write");
		unlink(path);
		return rc;
	}
	*made = true;
	return 0;
}

static int
seed_playbooks(const char *path)
{
	return repo_create_seeded(path, "main", (char *const *)shipped_playbook_names,
				  (char *const *)shipped_playbook_texts,
				  shipped_playbook_count,
				  "Add the playbooks shipped with sitrep");
}

static int
init_exec(struct cli *cli, struct cli_args *args)
{
	const char *dir = ".";
	char *conf_path, *db_path, *pb_path, *key_path, *trimmed;
	struct store *st = NULL;
	bool force = cli_args_has(args, "force"), existing, kept_repo = false, new_key;
	int rc;

	(void)cli;
	if (args->argc > 1)
		return cli_usage_error(&cmd_init_entry, "give at most one directory");
	if (args->argc == 1)
		dir = args->argv[0];
	dir = trimmed = xstrdup(dir);
	for (size_t n = strlen(trimmed); n > 1 && trimmed[n - 1] == '/'; n--)
		trimmed[n - 1] = '\0';
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		cli_error("cannot create '%s': %s", dir, strerror(errno));
		free(trimmed);
		return EXIT_SYSTEM;
	}
	conf_path = xasprintf("%s/sitrep.conf", dir);
	db_path = xasprintf("%s/sitrep.db", dir);
	pb_path = xasprintf("%s/playbooks", dir);
	key_path = xasprintf("%s/paging.key", dir);
	existing = path_exists(conf_path) || path_exists(db_path) || path_exists(pb_path);
	if (existing && !force) {
		rc = err_set(SR_EEXIST, "'%s' already holds a sitrep workspace: "
			     "use --force to rewrite its config (the database and "
			     "playbooks are kept)", dir);
		goto out;
	}
	/* the playbooks first and the config last: a workspace whose config
	 * exists is one `init` refuses to touch again */
	if (path_exists(pb_path))
		kept_repo = true;
	else if ((rc = seed_playbooks(pb_path)) != 0)
		goto out;
	if ((rc = store_create(&st, db_path)) != 0)
		goto out;
	store_close(st);
	if ((rc = write_paging_key(key_path, &new_key)) != 0 ||
	    (rc = write_file(conf_path, conf_default_text)) != 0)
		goto out;
	printf("initialized sitrep workspace in %s\n  config     %s\n  database   %s\n",
	       dir, conf_path, db_path);
	if (kept_repo)
		printf("  playbooks  %s (kept as it was)\n", pb_path);
	else
		printf("  playbooks  %s (git, branch main, %zu playbooks)\n", pb_path,
		       shipped_playbook_count);
	printf("  paging key %s%s\n", key_path, new_key ? "" : " (kept as it was)");
	printf("next: sitrep -c %s playbook list\n", conf_path);
out:
	free(trimmed);
	free(conf_path);
	free(db_path);
	free(pb_path);
	free(key_path);
	return rc != 0 ? cli_fail(rc) : EXIT_OK;
}
