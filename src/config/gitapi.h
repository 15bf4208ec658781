/* gitapi.h: the libgit2 functions repo.c calls, found with dlopen when the
 * first repository is opened, so that a sitrep command that never reads git
 * (show, list, update...) never loads libgit2 and the fifteen shared
 * libraries behind it (mbedTLS, libssh2, OpenSSL, Kerberos...). Only repo.c
 * includes it; after it, a call git_x(...) goes through the loaded table.
 * Built with GITAPI_LINKED (make STATIC_CLI=1), the table holds the
 * functions of a libgit2 linked into the program instead. */
#ifndef SITREP_GITAPI_H
#define SITREP_GITAPI_H

#include <git2.h>

#define GITAPI_FUNCS(X) \
	X(git_blob_create_from_buffer) \
	X(git_blob_free) \
	X(git_blob_lookup) \
	X(git_blob_rawcontent) \
	X(git_blob_rawsize) \
	X(git_branch_name_is_valid) \
	X(git_buf_dispose) \
	X(git_commit_author) \
	X(git_commit_create) \
	X(git_commit_free) \
	X(git_commit_id) \
	X(git_commit_lookup) \
	X(git_commit_lookup_prefix) \
	X(git_commit_parent) \
	X(git_commit_parent_id) \
	X(git_commit_parentcount) \
	X(git_commit_summary) \
	X(git_commit_time) \
	X(git_commit_tree) \
	X(git_commit_tree_id) \
	X(git_diff_free) \
	X(git_diff_options_init) \
	X(git_diff_to_buf) \
	X(git_diff_tree_to_tree) \
	X(git_error_last) \
	X(git_index_add_bypath) \
	X(git_index_free) \
	X(git_index_write) \
	X(git_index_write_tree) \
	X(git_libgit2_init) \
	X(git_libgit2_opts) \
	X(git_libgit2_shutdown) \
	X(git_message_prettify) \
	X(git_object_free) \
	X(git_object_id) \
	X(git_object_peel) \
	X(git_odb_exists) \
	X(git_odb_free) \
	X(git_oid_cpy) \
	X(git_oid_equal) \
	X(git_oid_fromstrn) \
	X(git_oid_is_zero) \
	X(git_oid_tostr) \
	X(git_reference_dwim) \
	X(git_reference_free) \
	X(git_reference_name_to_id) \
	X(git_reference_resolve) \
	X(git_reference_target) \
	X(git_repository_free) \
	X(git_repository_index) \
	X(git_repository_init_ext) \
	X(git_repository_init_options_init) \
	X(git_repository_odb) \
	X(git_repository_open_ext) \
	X(git_repository_workdir) \
	X(git_revparse_single) \
	X(git_revwalk_free) \
	X(git_revwalk_new) \
	X(git_revwalk_next) \
	X(git_revwalk_push) \
	X(git_revwalk_sorting) \
	X(git_signature_default) \
	X(git_signature_free) \
	X(git_signature_now) \
	X(git_tree_entry_byindex) \
	X(git_tree_entry_byname) \
	X(git_tree_entry_bypath) \
	X(git_tree_entry_filemode) \
	X(git_tree_entry_free) \
	X(git_tree_entry_id) \
	X(git_tree_entry_name) \
	X(git_tree_entry_type) \
	X(git_tree_entrycount) \
	X(git_tree_free) \
	X(git_tree_lookup) \
	X(git_treebuilder_free) \
	X(git_treebuilder_insert) \
	X(git_treebuilder_new) \
	X(git_treebuilder_write)

struct gitapi {
#define GITAPI_MEMBER(f) __typeof__(f) *f;
	GITAPI_FUNCS(GITAPI_MEMBER)
#undef GITAPI_MEMBER
};

/* The table, filled by gitapi_load. */
extern struct gitapi gitapi;

/*
 * Load libgit2 and fill the table, once per process (call it before any
 * thread starts, or from one thread only). 0, else SR_ESYS with err_last()
 * saying what is missing. Initialising libgit2 is repo.c's.
 */
int gitapi_load(void);

#ifndef GITAPI_NO_CALLS
#define git_blob_create_from_buffer (gitapi.git_blob_create_from_buffer)
#define git_blob_free (gitapi.git_blob_free)
#define git_blob_lookup (gitapi.git_blob_lookup)
#define git_blob_rawcontent (gitapi.git_blob_rawcontent)
#define git_blob_rawsize (gitapi.git_blob_rawsize)
#define git_branch_name_is_valid (gitapi.git_branch_name_is_valid)
#define git_buf_dispose (gitapi.git_buf_dispose)
#define git_commit_author (gitapi.git_commit_author)
#define git_commit_create (gitapi.git_commit_create)
#define git_commit_free (gitapi.git_commit_free)
#define git_commit_id (gitapi.git_commit_id)
#define git_commit_lookup (gitapi.git_commit_lookup)
#define git_commit_lookup_prefix (gitapi.git_commit_lookup_prefix)
#define git_commit_parent (gitapi.git_commit_parent)
#define git_commit_parent_id (gitapi.git_commit_parent_id)
#define git_commit_parentcount (gitapi.git_commit_parentcount)
#define git_commit_summary (gitapi.git_commit_summary)
#define git_commit_time (gitapi.git_commit_time)
#define git_commit_tree (gitapi.git_commit_tree)
#define git_commit_tree_id (gitapi.git_commit_tree_id)
#define git_diff_free (gitapi.git_diff_free)
#define git_diff_options_init (gitapi.git_diff_options_init)
#define git_diff_to_buf (gitapi.git_diff_to_buf)
#define git_diff_tree_to_tree (gitapi.git_diff_tree_to_tree)
#define git_error_last (gitapi.git_error_last)
#define git_index_add_bypath (gitapi.git_index_add_bypath)
#define git_index_free (gitapi.git_index_free)
#define git_index_write (gitapi.git_index_write)
#define git_index_write_tree (gitapi.git_index_write_tree)
#define git_libgit2_init (gitapi.git_libgit2_init)
#define git_libgit2_opts (gitapi.git_libgit2_opts)
#define git_libgit2_shutdown (gitapi.git_libgit2_shutdown)
#define git_message_prettify (gitapi.git_message_prettify)
#define git_object_free (gitapi.git_object_free)
#define git_object_id (gitapi.git_object_id)
#define git_object_peel (gitapi.git_object_peel)
#define git_odb_exists (gitapi.git_odb_exists)
#define git_odb_free (gitapi.git_odb_free)
#define git_oid_cpy (gitapi.git_oid_cpy)
#define git_oid_equal (gitapi.git_oid_equal)
#define git_oid_fromstrn (gitapi.git_oid_fromstrn)
#define git_oid_is_zero (gitapi.git_oid_is_zero)
#define git_oid_tostr (gitapi.git_oid_tostr)
#define git_reference_dwim (gitapi.git_reference_dwim)
#define git_reference_free (gitapi.git_reference_free)
#define git_reference_name_to_id (gitapi.git_reference_name_to_id)
#define git_reference_resolve (gitapi.git_reference_resolve)
#define git_reference_target (gitapi.git_reference_target)
#define git_repository_free (gitapi.git_repository_free)
#define git_repository_index (gitapi.git_repository_index)
#define git_repository_init_ext (gitapi.git_repository_init_ext)
#define git_repository_init_options_init (gitapi.git_repository_init_options_init)
#define git_repository_odb (gitapi.git_repository_odb)
#define git_repository_open_ext (gitapi.git_repository_open_ext)
#define git_repository_workdir (gitapi.git_repository_workdir)
#define git_revparse_single (gitapi.git_revparse_single)
#define git_revwalk_free (gitapi.git_revwalk_free)
#define git_revwalk_new (gitapi.git_revwalk_new)
#define git_revwalk_next (gitapi.git_revwalk_next)
#define git_revwalk_push (gitapi.git_revwalk_push)
#define git_revwalk_sorting (gitapi.git_revwalk_sorting)
#define git_signature_default (gitapi.git_signature_default)
#define git_signature_free (gitapi.git_signature_free)
#define git_signature_now (gitapi.git_signature_now)
#define git_tree_entry_byindex (gitapi.git_tree_entry_byindex)
#define git_tree_entry_byname (gitapi.git_tree_entry_byname)
#define git_tree_entry_bypath (gitapi.git_tree_entry_bypath)
#define git_tree_entry_filemode (gitapi.git_tree_entry_filemode)
#define git_tree_entry_free (gitapi.git_tree_entry_free)
#define git_tree_entry_id (gitapi.git_tree_entry_id)
#define git_tree_entry_name (gitapi.git_tree_entry_name)
#define git_tree_entry_type (gitapi.git_tree_entry_type)
#define git_tree_entrycount (gitapi.git_tree_entrycount)
#define git_tree_free (gitapi.git_tree_free)
#define git_tree_lookup (gitapi.git_tree_lookup)
#define git_treebuilder_free (gitapi.git_treebuilder_free)
#define git_treebuilder_insert (gitapi.git_treebuilder_insert)
#define git_treebuilder_new (gitapi.git_treebuilder_new)
#define git_treebuilder_write (gitapi.git_treebuilder_write)
#endif

#endif
