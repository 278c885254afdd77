/* cmd_image.c: `drydock import`, `drydock load`, `drydock images` and `drydock rmi`. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cli/cli.h"
#include "core/base/util.h"
#include "core/image/image.h"

#define SHORT_ID_LEN 12
#define COLUMN_GAP 3

int cmd_import(int argc, char **argv, struct dd_globals *g)
{
	struct dd_error err = { 0 };
	struct dd_image img;
	const char *args[2];
	int n = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--") && i + 1 < argc) {
			while (++i < argc && n < 2)
				args[n++] = argv[i];
			n += argc - i; /* anything left over is one too many */
			break;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return dd_cli_usage_error("import", "Unknown flag: %s", argv[i]);
		if (n == 2)
			return dd_cli_usage_error("import", "Too many arguments: '%s'", argv[i]);
		args[n++] = argv[i];
	}
	if (n != 2)
		return dd_cli_usage_error("import", "'drydock import' needs a FILE (or -) and "
					  "a NAME[:TAG]");
	if (dd_image_import(g->root, args[0], args[1], &img, &err) < 0) {
		dd_error_print(&err);
		return dd_error_exit_code(&err);
	}
	printf("sha256:%s\n", img.id);
	dd_image_release(&img);
	return 0;
}

int cmd_load(int argc, char **argv, struct dd_globals *g)
{
	struct dd_error err = { 0 };
	struct dd_image_loaded loaded;
	const char *input = NULL;
	bool quiet = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = true;
		else if ((!strcmp(argv[i], "-i") || !strcmp(argv[i], "--input")) && i + 1 < argc)
			input = argv[++i];
		else if (!strncmp(argv[i], "--input=", 8))
			input = argv[i] + 8;
		else if (!strncmp(argv[i], "-i", 2) && argv[i][2])
			input = argv[i] + 2;
		else if (argv[i][0] == '-')
			return dd_cli_usage_error("load", "Unknown flag: %s", argv[i]);
		else
			return dd_cli_usage_error("load", "'drydock load' takes no arguments: give "
						  "the archive with -i FILE or on stdin");
	}
	if (!input && isatty(STDIN_FILENO))
		return dd_cli_usage_error("load", "'drydock load' reads the archive from stdin, "
					  "which is a terminal: give -i FILE or redirect stdin");
	if (dd_image_load(g->root, input ? input : "-", &loaded, &err) < 0) {
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

int cmd_images(int argc, char **argv, struct dd_globals *g)
{
	bool quiet = false, as_json = false;
	struct dd_error err = { 0 };
	struct dd_image *list;
	size_t n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = true;
		else if (!strcmp(argv[i], "--format") && i + 1 < argc && !strcmp(argv[i + 1], "json"))
			as_json = true, i++;
		else if (!strcmp(argv[i], "--format=json"))
			as_json = true;
		else if (!strncmp(argv[i], "--format", 8))
			return dd_cli_usage_error("images", "Only '--format json' is supported");
		else
			return dd_cli_usage_error("images", "Unknown argument: %s", argv[i]);
	}
	if (dd_image_list(g->root, &list, &n, &err) < 0) {
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
	int rc = 0, first = 1;

	if (first < argc && !strcmp(argv[first], "--"))
		first++;
	if (first >= argc)
		return dd_cli_usage_error("rmi", "'drydock rmi' needs at least 1 image");
	for (int i = first; i < argc; i++) {
		struct dd_error err = { 0 };
		struct dd_image_removal what;

		if (dd_image_remove_report(g->root, argv[i], &what, &err) < 0) {
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
