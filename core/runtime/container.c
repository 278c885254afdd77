/* container.c: creating, finding, listing and removing containers. */
#include "core/runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/util.h"
#include "core/runtime/proc.h"
#include "core/runtime/state.h"

static const char *const status_names[] = {
	[DD_STATUS_CREATED] = "created",
	[DD_STATUS_RUNNING] = "running",
	[DD_STATUS_EXITED] = "exited",
};

const char *dd_status_name(enum dd_status s)
{
	return status_names[s];
}

char *dd_container_dir(const struct dd_roots *roots, const char *id)
{
	return dd_state_path(roots->run, DD_DIR_RUN_CONTAINERS, "%s", id);
}

char *dd_container_layer_dir(const struct dd_roots *roots, const char *id)
{
	return dd_state_path(roots->data, DD_DIR_CONTAINERS, "%s", id);
}

/* Docker-style generated names: adjective_noun. */
static const char *const name_adjectives[] = {
	"brave", "calm", "eager", "fancy", "gentle", "happy", "jolly", "keen",
	"lucid", "merry", "nifty", "proud", "quiet", "sharp", "tender", "witty",
};
static const char *const name_nouns[] = {
	"babbage", "curie", "dijkstra", "hopper", "knuth", "lamport", "liskov",
	"lovelace", "mccarthy", "noether", "pike", "ritchie", "thompson", "turing",
	"wirth", "wozniak",
};

static bool valid_name(const char *name)
{
	if (!*name || strlen(name) > 128 || !strchr("abcdefghijklmnopqrstuvwxyz"
						    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
						    name[0]))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_.-") == strlen(name);
}

/* The name is reserved by creating <names>/<name>, which fails when it
 * exists: one atomic step.  The file holds the id, for whoever looks;
 * nothing reads it back (a name is resolved through the containers' own
 * records).  A file and not a directory: on ext4 a directory takes a
 * block at once, and each start and removal pays for allocating and
 * discarding it. */
static int reserve_name(const char *names, const char *name, const char *id,
			struct dd_error *err)
{
	_cleanup_free_ char *path = dd_strdup_printf("%s/%s", names, name);
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (!path)
		return dd_fail(err, ENOMEM, "Cannot reserve name '%s'", name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return dd_fail_kind(err, DD_ERR_USAGE, 0,
					    "The container name '%s' is already in use: "
					    "remove that container or choose another name",
					    name);
		return dd_fail(err, errno, "Cannot reserve name '%s'", name);
	}
	n = write(fd, id, strlen(id));
	if (n != (ssize_t)strlen(id)) {
		dd_fail(err, n < 0 ? errno : EIO, "Cannot reserve name '%s'", name);
		unlink(path);
		return -1;
	}
	return 0;
}

static void release_name(const struct dd_roots *roots, const char *name)
{
	_cleanup_free_ char *path = dd_state_path(roots->run, DD_DIR_RUN_NAMES, "%s", name);
	struct dd_error ignored;

	if (path)
		dd_rm_rf(path, &ignored);
}

/* Names are reserved under the run root, which a reboot empties while
 * the containers' records stay under the data root.  A run root without
 * names/ gets one made anew from the records: filled in a folder beside
 * it, then renamed into place in one step, so no name a kept container
 * holds is ever free, even to a `run --name` racing this one. */
static int ensure_names(const struct dd_roots *roots, const char *names,
			struct dd_error *err)
{
	_cleanup_free_ char *fresh = NULL;
	struct dd_state *list;
	struct dd_error ignored;
	size_t n;

	if (dd_is_dir(names))
		return 0;
	if (dd_mkdir_p(roots->run, 0700, err) < 0)
		return -1;
	fresh = dd_strdup_printf("%s.new-XXXXXX", names);
	if (!fresh)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (!mkdtemp(fresh))
		return dd_fail(err, errno, "Cannot create '%s'", fresh);
	if (dd_container_list_records(roots->data, &list, &n, err) < 0) {
		dd_rm_rf(fresh, &ignored);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (list[i].name)
			reserve_name(fresh, list[i].name, list[i].id, &ignored);
	dd_state_list_free(list, n);
	if (rename(fresh, names) < 0) {
		int saved = errno;

		dd_rm_rf(fresh, &ignored);
		if (saved != EEXIST && saved != ENOTEMPTY) /* else another drydock made it */
			return dd_fail(err, saved, "Cannot create '%s'", names);
	}
	return 0;
}

int dd_container_create(const struct dd_roots *roots, const char *name, struct dd_state *st,
			struct dd_error *err)
{
	_cleanup_free_ char *names = dd_state_path(roots->run, DD_DIR_RUN_NAMES, NULL);
	_cleanup_free_ char *dir = NULL, *layer = NULL;
	unsigned char pick[2];

	if (!names)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (ensure_names(roots, names, err) < 0 || dd_random_hex(st->id, 32, err) < 0)
		return -1;
	if (name && !valid_name(name))
		return dd_fail_kind(err, DD_ERR_USAGE, 0,
				    "Invalid container name '%s': only [a-zA-Z0-9][a-zA-Z0-9_.-] "
				    "are allowed", name);
	for (int tries = 0; !name; tries++) {
		/* A generated name that is taken: try another, then add digits. */
		memcpy(pick, st->id + tries % 30, 2);
		st->name = tries < 8 ? dd_strdup_printf("%s_%s",
				name_adjectives[pick[0] % ARRAY_SIZE(name_adjectives)],
				name_nouns[pick[1] % ARRAY_SIZE(name_nouns)])
			: dd_strdup_printf("%s_%.8s", name_nouns[pick[1] % ARRAY_SIZE(name_nouns)],
					   st->id + tries % 50);
		if (!st->name)
			return dd_fail(err, ENOMEM, "Cannot name the container");
		if (reserve_name(names, st->name, st->id, err) == 0)
			break;
		free(st->name);
		st->name = NULL;
		if (err->kind != DD_ERR_USAGE || tries > 40)
			return -1;
	}
	if (name) {
		if (reserve_name(names, name, st->id, err) < 0)
			return -1;
		st->name = strdup(name);
	}
	/* The bundle first: a record whose bundle is missing is a container
	 * from before a reboot (read_run_state()), never one being made. */
	dir = dd_container_dir(roots, st->id);
	layer = dd_container_layer_dir(roots, st->id);
	st->status = DD_STATUS_CREATED;
	st->created = time(NULL);
	if (!dir || !layer || dd_mkdir_p(dir, 0700, err) < 0 || dd_mkdir_p(layer, 0700, err) < 0 ||
	    dd_container_save(roots, st, err) < 0) {
		struct dd_error ignored;

		/* Nothing half-made: no directory without a record, no name
		 * reserved for a container that does not exist. */
		if (layer)
			dd_rm_rf(layer, &ignored);
		if (dir)
			dd_rm_rf(dir, &ignored);
		release_name(roots, st->name);
		return dir && layer ? -1 : dd_fail(err, ENOMEM, "Out of memory");
	}
	return 0;
}

/* The engine's record, <dir>/container.json: what the runtime does not
 * know (name, image, command).  Status, pid and exit code are the
 * runtime's, in state.json, and read from there. */
int dd_container_save(const struct dd_roots *roots, const struct dd_state *st,
		      struct dd_error *err)
{
	_cleanup_free_ char *dir = dd_container_layer_dir(roots, st->id);
	_cleanup_free_ char *path = dir ? dd_strdup_printf("%s/container.json", dir) : NULL;
	_cleanup_free_ char *text = NULL;
	json_t *j = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:i, s:I, s:I}",
			      "id", st->id, "name", st->name, "image", st->image,
			      "image_id", st->image_id, "command", st->command,
			      "engine_pid", (int)st->engine_pid,
			      "engine_pid_start", (json_int_t)st->engine_pid_start,
			      "created", (json_int_t)st->created);

	if (!j || !path)
		return dd_fail(err, ENOMEM, "Cannot save the record of container %.12s", st->id);
	text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	if (!text)
		return dd_fail(err, ENOMEM, "Cannot save the record of container %.12s", st->id);
	return dd_write_file_atomic(path, text, strlen(text), 0600, err);
}

static char *json_strdup(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? strdup(s) : NULL;
}

/* The runtime's view, mapped to what ps shows. */
static void read_run_state(const char *dir, struct dd_state *st)
{
	struct dd_run_state rs;
	struct dd_error ignored;

	if (!dd_is_dir(dir)) {
		/* The record stayed, the run root went: the machine rebooted
		 * since, and nobody saw how the container ended. */
		st->status = DD_STATUS_EXITED;
		st->exit_code = -1;
		return;
	}
	st->status = DD_STATUS_CREATED;
	if (dd_state_peek(dir, &rs, &ignored) < 0)
		return; /* not made yet */
	st->pid = rs.pid;
	st->pid_start = rs.pid_start;
	st->started = rs.started;
	st->finished = rs.finished;
	st->exit_code = rs.exit_code;
	switch (rs.status) {
	case DD_RUN_CREATING:
	case DD_RUN_CREATED:
		st->status = DD_STATUS_CREATED;
		break;
	case DD_RUN_RUNNING:
		st->status = DD_STATUS_RUNNING;
		break;
	case DD_RUN_STOPPED:
		/* Never started (its drydock was killed while making it). */
		st->status = rs.started ? DD_STATUS_EXITED : DD_STATUS_CREATED;
		if (!rs.started && rs.pid > 0)
			st->status = DD_STATUS_EXITED;
		break;
	}
}

/* The engine's record alone, from the data root. */
static int load_record(const char *root, const char *id, struct dd_state *st,
		       struct dd_error *err)
{
	_cleanup_free_ char *path = dd_state_path(root, DD_DIR_CONTAINERS, "%s/container.json", id);
	json_error_t jerr;
	json_t *j;

	memset(st, 0, sizeof(*st));
	if (!path)
		return dd_fail(err, ENOMEM, "Cannot load container %s", id);
	j = json_load_file(path, 0, &jerr);
	if (!j)
		return dd_fail(err, 0, "Cannot load container record '%s': %s", path, jerr.text);
	snprintf(st->id, sizeof(st->id), "%s", id);
	st->name = json_strdup(j, "name");
	st->image = json_strdup(j, "image");
	st->image_id = json_strdup(j, "image_id");
	st->command = json_strdup(j, "command");
	st->engine_pid = json_integer_value(json_object_get(j, "engine_pid"));
	st->engine_pid_start = json_integer_value(json_object_get(j, "engine_pid_start"));
	st->created = json_integer_value(json_object_get(j, "created"));
	json_decref(j);
	return 0;
}

int dd_container_load(const struct dd_roots *roots, const char *id, struct dd_state *st,
		      struct dd_error *err)
{
	_cleanup_free_ char *dir = dd_container_dir(roots, id);

	if (!dir)
		return dd_fail(err, ENOMEM, "Cannot load container %s", id);
	if (load_record(roots->data, id, st, err) < 0)
		return -1;
	read_run_state(dir, st);
	return 0;
}

static int cmp_created_desc(const void *a, const void *b)
{
	const struct dd_state *x = a, *y = b;

	return (x->created < y->created) - (x->created > y->created);
}

/* Every record under root; with roots, each one's status too. */
static int list_containers(const char *root, const struct dd_roots *roots,
			   struct dd_state **out, size_t *n, struct dd_error *err)
{
	_cleanup_free_ char *path = dd_state_path(root, DD_DIR_CONTAINERS, NULL);
	_cleanup_closedir_ DIR *dir = path ? opendir(path) : NULL;
	struct dd_state *list = NULL;
	struct dirent *de;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	if (!dir)
		return errno == ENOENT ? 0 : dd_fail(err, errno, "Cannot list '%s'", path);
	while ((de = readdir(dir))) {
		struct dd_state st, *nl;
		struct dd_error ignored;

		if (de->d_name[0] == '.' || strlen(de->d_name) != 64)
			continue;
		if ((roots ? dd_container_load(roots, de->d_name, &st, &ignored)
			   : load_record(root, de->d_name, &st, &ignored)) < 0)
			continue; /* being created or removed right now */
		nl = realloc(list, (count + 1) * sizeof(*nl));
		if (!nl) {
			dd_state_release(&st);
			dd_state_list_free(list, count);
			return dd_fail(err, ENOMEM, "Cannot list containers");
		}
		list = nl;
		list[count++] = st;
	}
	if (count)
		qsort(list, count, sizeof(*list), cmp_created_desc);
	*out = list;
	*n = count;
	return 0;
}

int dd_container_list(const struct dd_roots *roots, struct dd_state **out, size_t *n,
		      struct dd_error *err)
{
	return list_containers(roots->data, roots, out, n, err);
}

int dd_container_list_records(const char *root, struct dd_state **out, size_t *n,
			      struct dd_error *err)
{
	return list_containers(root, NULL, out, n, err);
}

int dd_container_find(const struct dd_roots *roots, const char *ref, struct dd_state *st,
		      struct dd_error *err)
{
	struct dd_state *list;
	size_t n, found = 0, idx = 0;

	if (dd_container_list(roots, &list, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (list[i].name && !strcmp(list[i].name, ref)) {
			found = 1;
			idx = i;
			break;
		}
		if (strlen(ref) >= 1 && !strncmp(list[i].id, ref, strlen(ref))) {
			found++;
			idx = i;
		}
	}
	if (found == 1) {
		*st = list[idx];
		memset(&list[idx], 0, sizeof(list[idx]));
	}
	dd_state_list_free(list, n);
	if (found == 0)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "No such container: %s", ref);
	if (found > 1)
		return dd_fail_kind(err, DD_ERR_USAGE, 0,
				    "Container id prefix '%s' is ambiguous: give more digits", ref);
	return 0;
}

/* The bundle first, then the record: a removal cut short leaves a
 * record that ps shows as exited and rm removes again. */
int dd_container_remove(const struct dd_roots *roots, const struct dd_state *st,
			struct dd_error *err)
{
	_cleanup_free_ char *dir = dd_container_dir(roots, st->id);
	_cleanup_free_ char *layer = dd_container_layer_dir(roots, st->id);

	if (!dir || !layer)
		return dd_fail(err, ENOMEM, "Cannot remove container %.12s", st->id);
	if (dd_rm_rf(dir, err) < 0 || dd_rm_rf(layer, err) < 0)
		return dd_error_wrap(err, "Cannot remove container %.12s", st->id);
	if (st->name)
		release_name(roots, st->name);
	return 0;
}

bool dd_container_is_running(struct dd_state *st)
{
	if (st->status != DD_STATUS_RUNNING)
		return false;
	if (dd_proc_alive(st->pid, st->pid_start))
		return true;
	st->status = DD_STATUS_EXITED; /* its drydock died without saying so */
	return false;
}

void dd_state_release(struct dd_state *st)
{
	free(st->name);
	free(st->image);
	free(st->image_id);
	free(st->command);
	memset(st, 0, sizeof(*st));
}

void dd_state_list_free(struct dd_state *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dd_state_release(&list[i]);
	free(list);
}
