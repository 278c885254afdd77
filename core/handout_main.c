/*
 * handout_main.c: ddhandout, the tool behind `make handout`.
 *
 *   ddhandout --lab NN FILE...   cut the regions of lab NN and later out
 *                                of each file, in place
 *   ddhandout --list FILE...     print every region: file:line lab task
 *
 * Every file is checked before any is written, so a bad marker anywhere
 * leaves every file as it was.  scripts/lab/handout.sh copies the tree
 * and calls this on the copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "error.h"
#include "markers.h"
#include "util.h"

static int usage(void)
{
	fputs("usage: ddhandout --lab NN FILE...\n       ddhandout --list FILE...\n", stderr);
	return 2;
}

static int list_regions(int nfiles, char **files)
{
	for (int i = 0; i < nfiles; i++) {
		_cleanup_free_ char *text = NULL;
		_cleanup_free_ struct dd_marker_region *r = NULL;
		struct dd_error err = { 0 };
		size_t n;

		if (dd_read_file(files[i], &text, NULL, &err) < 0 ||
		    dd_markers_scan(files[i], text, dd_markers_lab_of_path(files[i]), &r, &n,
				    &err) < 0) {
			fprintf(stderr, "ddhandout: %s\n", err.msg);
			return 1;
		}
		for (size_t k = 0; k < n; k++)
			printf("%s:%d lab %02d %s\n", files[i], r[k].begin_line, r[k].lab, r[k].task);
	}
	return 0;
}

static int cut_files(int lab, int nfiles, char **files)
{
	char **out = calloc(nfiles, sizeof(char *));
	struct dd_error err = { 0 };
	int rc = 1, i;

	if (!out)
		return 1;
	/* First every file, in memory: all or nothing. */
	for (i = 0; i < nfiles; i++) {
		_cleanup_free_ char *text = NULL;

		if (dd_read_file(files[i], &text, NULL, &err) < 0 ||
		    dd_markers_cut(files[i], text, dd_markers_lab_of_path(files[i]), lab, &out[i],
				   &err) < 0)
			goto done;
	}
	for (i = 0; i < nfiles; i++)
		if (dd_write_file_atomic(files[i], out[i], strlen(out[i]), 0644, &err) < 0)
			goto done;
	rc = 0;
done:
	if (rc)
		fprintf(stderr, "ddhandout: %s\n", err.msg);
	for (i = 0; i < nfiles; i++)
		free(out[i]);
	free(out);
	return rc;
}

int main(int argc, char **argv)
{
	int lab;

	if (argc >= 2 && !strcmp(argv[1], "--list"))
		return list_regions(argc - 2, argv + 2);
	if (argc < 3 || strcmp(argv[1], "--lab") || sscanf(argv[2], "%d", &lab) != 1 || lab < 1)
		return usage();
	return cut_files(lab, argc - 3, argv + 3);
}
