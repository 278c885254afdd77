/* cmd_image.c: `drydock import`, `drydock load`, `drydock images` and `drydock rmi`. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/cli/cli.h"
#include "core/base/util.h"
#include "core/image/image.h"

#define SHORT_ID_LEN 12
#define COLUMN_GAP 3

int cmd_import(int argc, char **argv, struct dd_globals *g)
{
	const struct dd_flags_spec spec = { .apply = dd_cli_set_bool };
	_cleanup_free_ char **args = NULL;
	struct dd_error err = { 0 };
	struct dd_image img;
	int n;

	if (dd_cli_parse("import", &spec, argc, argv, &args, &n) < 0)
		return DD_EXIT_ERROR;
	if (n > 2)
		return dd_cli_usage_error("import", "Too many arguments: '%s'", args[2]);
	if (n != 2)
		return dd_cli_usage_error("import", "'drydock import' needs a FILE (or -) and "
					  "a NAME[:TAG]");
	if (dd_image_import(g->roots.data, args[0], args[1], &img, &err) < 0) {
		dd_error_print(&err);
		return dd_error_exit_code(&err);
	}
	printf("sha256:%s\n", img.id);
	dd_image_release(&img);
	return 0;
}

enum { LOAD_INPUT, LOAD_QUIET };

static const struct dd_flag load_flags[] = {
	{ 'i', "input", true, LOAD_INPUT },
	{ 'q', "quiet", false, LOAD_QUIET },
};

struct load_opts {
	const char *input;
	bool quiet;
};

static int apply_load(void *arg, const struct dd_flag *f, const char *value,
		      struct dd_error *err)
{
	struct load_opts *o = arg;

	if (f->id == LOAD_INPUT)
		o->input = value;
	else
		o->quiet = true;
	return 0;
}

int cmd_load(int argc, char **argv, struct dd_globals *g)
{
	struct load_opts o = { 0 };
	const struct dd_flags_spec spec = { .flags = load_flags, .nflags = ARRAY_SIZE(load_flags),
					    .apply = apply_load, .arg = &o };
	_cleanup_free_ char **ops = NULL;
	struct dd_error err = { 0 };
	struct dd_image_loaded loaded;
	const char *input;
	bool quiet;
	int n;

	if (dd_cli_parse("load", &spec, argc, argv, &ops, &n) < 0)
		return DD_EXIT_ERROR;
	if (n > 0)
		return dd_cli_usage_error("load", "'drydock load' takes no arguments: give "
					  "the archive with -i FILE or on stdin");
	input = o.input;
	quiet = o.quiet;
	if (!input && isatty(STDIN_FILENO))
		return dd_cli_usage_error("load", "'drydock load' reads the archive from stdin, "
					  "which is a terminal: give -i FILE or redirect stdin");
	if (dd_image_load(g->roots.data, input ? input : "-", &loaded, &err) < 0) {
		dd_error_print(&err);
		return dd_error_exit_code(&err);
	}
	for (char **t = loaded.tags; !quiet && t && *t; t++)
		printf("Loaded image: %s\n", *t);
	for (char **id = loaded.ids; !quiet && id && *id; id++)
		printf("Loaded image ID: sha256:%s\n", *id);
	dd_image_loaded_release(&loaded);
	return 0;
}

/* Docker's sizes: decimal units, three significant digits ("4.26MB"). */
static void format_size(long long bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, "%.3g%s", v, units[u]);
}

static void print_json(const struct dd_image *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char since[64];
		json_t *j;
		char *text;

		dd_format_ago(list[i].created, since, sizeof(since));
		j = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I}", "Repository", list[i].name,
			      "Tag", list[i].tag, "ID", list[i].id, "Created",
			      (json_int_t)list[i].created, "CreatedSince", since, "Size",
			      (json_int_t)list[i].size);
		text = j ? json_dumps(j, JSON_COMPACT) : NULL;
		if (text)
			puts(text);
		free(text);
		json_decref(j);
	}
}

static void print_table(const struct dd_image *list, size_t n)
{
	int wname = strlen("REPOSITORY"), wtag = strlen("TAG"), wsince = strlen("CREATED");
	char since[64], size[32];

	for (size_t i = 0; i < n; i++) {
		dd_format_ago(list[i].created, since, sizeof(since));
		if ((int)strlen(list[i].name) > wname)
			wname = strlen(list[i].name);
		if ((int)strlen(list[i].tag) > wtag)
			wtag = strlen(list[i].tag);
		if ((int)strlen(since) > wsince)
			wsince = strlen(since);
	}
	wname += COLUMN_GAP, wtag += COLUMN_GAP, wsince += COLUMN_GAP;
	printf("%-*s%-*s%-*s%-*s%s\n", wname, "REPOSITORY", wtag, "TAG",
	       SHORT_ID_LEN + COLUMN_GAP, "IMAGE ID", wsince, "CREATED", "SIZE");
	for (size_t i = 0; i < n; i++) {
		dd_format_ago(list[i].created, since, sizeof(since));
		format_size(list[i].size, size, sizeof(size));
		printf("%-*s%-*s%-*.*s%-*s%s\n", wname, list[i].name, wtag, list[i].tag,
		       SHORT_ID_LEN + COLUMN_GAP, SHORT_ID_LEN, list[i].id, wsince, since, size);
	}
}

enum { IMAGES_QUIET, IMAGES_FORMAT };

static const struct dd_flag images_flags[] = {
	{ 'q', "quiet", false, IMAGES_QUIET },
	{ 0, "format", true, IMAGES_FORMAT },
};

struct images_opts {
	bool quiet, as_json;
};

static int apply_images(void *arg, const struct dd_flag *f, const char *value,
			struct dd_error *err)
{
	struct images_opts *o = arg;

	if (f->id == IMAGES_QUIET)
		o->quiet = true;
	else if (!strcmp(value, "json"))
		o->as_json = true;
	else
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Only '--format json' is supported, "
				    "not '%s'", value);
	return 0;
}

int cmd_images(int argc, char **argv, struct dd_globals *g)
{
	struct images_opts o = { 0 };
	const struct dd_flags_spec spec = { .flags = images_flags,
					    .nflags = ARRAY_SIZE(images_flags),
					    .apply = apply_images, .arg = &o };
	_cleanup_free_ char **ops = NULL;
	struct dd_error err = { 0 };
	struct dd_image *list;
	bool quiet, as_json;
	size_t n;
	int nops;

	if (dd_cli_parse("images", &spec, argc, argv, &ops, &nops) < 0)
		return DD_EXIT_ERROR;
	if (nops > 0)
		return dd_cli_usage_error("images", "Unknown argument: %s", ops[0]);
	quiet = o.quiet;
	as_json = o.as_json;
	if (dd_image_list(g->roots.data, &list, &n, &err) < 0) {
		dd_error_print(&err);
		return dd_error_exit_code(&err);
	}
	if (quiet) {
		/* One line per image, not per tag, so `rmi $(images -q)` works. */
		for (size_t i = 0; i < n; i++) {
			bool seen = false;

			for (size_t k = 0; k < i && !seen; k++)
				seen = !strcmp(list[k].id, list[i].id);
			if (!seen)
				printf("%.*s\n", SHORT_ID_LEN, list[i].id);
		}
	} else if (as_json) {
		print_json(list, n);
	} else {
		print_table(list, n);
	}
	dd_image_list_free(list, n);
	return 0;
}

int cmd_rmi(int argc, char **argv, struct dd_globals *g)
{
	const struct dd_flags_spec spec = { .apply = dd_cli_set_bool };
	_cleanup_free_ char **ops = NULL;
	int rc = 0, n;

	if (dd_cli_parse("rmi", &spec, argc, argv, &ops, &n) < 0)
		return DD_EXIT_ERROR;
	if (n == 0)
		return dd_cli_usage_error("rmi", "'drydock rmi' needs at least 1 image");
	for (int i = 0; i < n; i++) {
		struct dd_error err = { 0 };
		struct dd_image_removal what;

		if (dd_image_remove_report(g->roots.data, ops[i], &what, &err) < 0) {
			dd_error_print(&err);
			rc = dd_error_exit_code(&err);
		}
		for (char **t = what.untagged; t && *t; t++)
			printf("Untagged: %s\n", *t);
		if (what.deleted[0])
			printf("Deleted: sha256:%s\n", what.deleted);
		dd_image_removal_release(&what);
	}
	return rc;
}
