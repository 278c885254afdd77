/*
 * lua.c: the `drydock` Lua module and `drydock script FILE.lua [ARGS]`.
 *
 * Scripts drive drydock the way a user at the shell does (lua_run.c runs
 * the drydock binary itself), plus a few host helpers tests need:
 * temporary directories, the host's mount table, random values, JSON.
 * doc/lua-api.md is the reference.
 *
 * `drydock script` runs FILE with stock Lua 5.4, the `arg` table set as
 * the lua interpreter sets it, the module preloaded (require "drydock",
 * and the global `dd`), and package.path extended with the tree's
 * scripts/lib.  An uncaught error prints "drydock: FILE:LINE: message"
 * and a traceback on stderr, and exits 1 as lua(1) does; 125 is kept for
 * drydock's own usage errors.  The same module loads into stock Lua as
 * build/drydock.so (`lua5.4 -l drydock`), finding the drydock binary
 * beside itself.
 */
#include "core/lua/lua_module.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <lualib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/cli/cli.h"
#include "core/base/util.h"

#define SCRIPT_EXIT_ERROR 1 /* an uncaught Lua error, as lua(1) exits */
#define MAX_RANDOM_HEX 128  /* dd_random_hex makes at most 64 bytes */
#define MOUNTINFO_FIELDS 32

/* ---- where the drydock binary and the Lua library are ---- */

/* The directory of the file that holds this code: the drydock binary,
 * or drydock.so when loaded into stock Lua.  Empty if unknown. */
static const char *module_dir(void)
{
	static char dir[PATH_MAX];
	Dl_info info;
	char *slash;

	if (dir[0])
		return dir;
	/* dladdr names drydock.so as loaded, but the main program only as
	 * argv[0] had it, maybe without a directory: /proc/self/exe then. */
	if (!dladdr((void *)luaopen_drydock, &info) || !info.dli_fname ||
	    !strchr(info.dli_fname, '/') || !realpath(info.dli_fname, dir)) {
		ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);

		dir[n > 0 ? n : 0] = '\0';
	}
	if ((slash = strrchr(dir, '/')))
		*slash = '\0';
	return dir;
}

const char *dd_lua_bin(lua_State *L)
{
	static char beside[PATH_MAX + 16];
	const char *env = getenv("DRYDOCK_BIN");

	if (env && *env)
		return env;
	/* `drydock script` sets $DRYDOCK_BIN to itself; in stock Lua the
	 * binary is found beside drydock.so (both live in build/). */
	if (module_dir()[0]) {
		snprintf(beside, sizeof(beside), "%s/drydock", module_dir());
		if (access(beside, X_OK) == 0)
			return beside;
	}
	luaL_error(L, "Cannot find the drydock binary: set DRYDOCK_BIN to its path "
		      "(e.g. build/drydock)");
	return NULL;
}

/* Put <dir>/../scripts/lib/?.lua first in package.path, once. */
static void add_lib_path(lua_State *L, const char *dir)
{
	char entry[PATH_MAX + 32];
	const char *path;

	if (!dir || !*dir)
		return;
	snprintf(entry, sizeof(entry), "%s/../scripts/lib/?.lua", dir);
	lua_getglobal(L, "package");
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	lua_getfield(L, -1, "path");
	path = lua_tostring(L, -1);
	if (!path || !strstr(path, entry)) {
		lua_pushfstring(L, "%s;%s", entry, path ? path : "");
		lua_setfield(L, -3, "path");
	}
	lua_pop(L, 2);
}

/* ---- small host helpers ---- */

/* dd.mkdtemp([prefix]) -> a new directory under $TMPDIR or /tmp */
static int l_mkdtemp(lua_State *L)
{
	const char *prefix = luaL_optstring(L, 1, "dd-");
	const char *base = getenv("TMPDIR");
	char path[PATH_MAX];

	luaL_argcheck(L, !strchr(prefix, '/'), 1, "the prefix must not contain '/'");
	if (!base || !*base)
		base = "/tmp";
	if (snprintf(path, sizeof(path), "%s/%sXXXXXX", base, prefix) >=
	    (int)sizeof(path))
		return luaL_error(L, "dd.mkdtemp: path too long");
	if (!mkdtemp(path))
		return luaL_error(L, "dd.mkdtemp: Cannot create a directory in '%s': %s",
				  base, strerror(errno));
	lua_pushstring(L, path);
	return 1;
}

/* dd.rm_rf(path): never crosses into a mount left below path. */
static int l_rm_rf(lua_State *L)
{
	struct dd_error err;

	if (dd_rm_rf(luaL_checkstring(L, 1), &err) < 0)
		return luaL_error(L, "dd.rm_rf: %s", err.msg);
	return 0;
}

static int l_sleep(lua_State *L)
{
	lua_Number ms = luaL_checknumber(L, 1);
	struct timespec ts = {.tv_sec = (time_t)(ms / 1000),
			      .tv_nsec =
				  (long)((ms - (time_t)(ms / 1000) * 1000.0) * 1e6)};

	if (ms <= 0)
		return 0;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 0;
}

static int l_monotonic(lua_State *L)
{
	lua_pushnumber(L, dd_lua_now());
	return 1;
}

/* dd.random_hex(n) -> n random lowercase hex digits */
static int l_random_hex(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 1);
	char hex[MAX_RANDOM_HEX + 2];
	struct dd_error err;

	luaL_argcheck(L, n >= 1 && n <= MAX_RANDOM_HEX, 1, "must be 1..128");
	if (dd_random_hex(hex, (size_t)(n + 1) / 2, &err) < 0)
		return luaL_error(L, "dd.random_hex: %s", err.msg);
	lua_pushlstring(L, hex, (size_t)n);
	return 1;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void push_unescaped(lua_State *L, const char *s)
{
	luaL_Buffer b;

	luaL_buffinit(L, &b);
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			luaL_addchar(&b, (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
						(s[3] - '0')));
			s += 3;
		} else {
			luaL_addchar(&b, *s);
		}
	}
	luaL_pushresult(&b);
}

/*
 * dd.mounts() -> {{target=, source=, fstype=, options=, root=}, ...} from
 * /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT TARGET OPTIONS [OPTIONAL...]
 * - FSTYPE SOURCE SUPER_OPTIONS".
 */
static int l_mounts(lua_State *L)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	lua_Integer n = 0;

	if (!f)
		return luaL_error(L, "dd.mounts: Cannot open /proc/self/mountinfo: %s",
				  strerror(errno));
	lua_newtable(L);
	while (getline(&line, &cap, f) > 0) {
		char *field[MOUNTINFO_FIELDS], *save = NULL;
		int nf = 0, dash = -1;

		for (char *tok = strtok_r(line, " \n", &save);
		     tok && nf < MOUNTINFO_FIELDS; tok = strtok_r(NULL, " \n", &save)) {
			if (dash < 0 && nf >= 6 && !strcmp(tok, "-"))
				dash = nf;
			field[nf++] = tok;
		}
		if (dash < 0 || dash + 2 >= nf)
			continue; /* not a line we understand */
		lua_createtable(L, 0, 5);
		push_unescaped(L, field[4]);
		lua_setfield(L, -2, "target");
		push_unescaped(L, field[dash + 2]);
		lua_setfield(L, -2, "source");
		push_unescaped(L, field[dash + 1]);
		lua_setfield(L, -2, "fstype");
		lua_pushstring(L, field[5]);
		lua_setfield(L, -2, "options");
		push_unescaped(L, field[3]);
		lua_setfield(L, -2, "root");
		lua_rawseti(L, -2, ++n);
	}
	return 1;
}

/* dd.setenv(name, value) sets, dd.setenv(name, nil) removes: for the
 * programs the script runs next (os.getenv sees it too). */
static int l_setenv(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	int rc;

	luaL_argcheck(L, *name && !strchr(name, '='), 1, "not a variable name");
	rc = lua_isnoneornil(L, 2) ? unsetenv(name)
				   : setenv(name, luaL_checkstring(L, 2), 1);
	if (rc < 0)
		return luaL_error(L, "dd.setenv: %s: %s", name, strerror(errno));
	return 0;
}

static int l_bin(lua_State *L)
{
	lua_pushstring(L, dd_lua_bin(L));
	return 1;
}

int luaopen_drydock(lua_State *L)
{
	static const luaL_Reg funcs[] = {
	    {"mkdtemp", l_mkdtemp},
	    {"rm_rf", l_rm_rf},
	    {"sleep", l_sleep},
	    {"monotonic", l_monotonic},
	    {"random_hex", l_random_hex},
	    {"mounts", l_mounts},
	    {"setenv", l_setenv},
	    {"bin", l_bin},
	    {NULL, NULL},
	};
	struct sigaction sa;

	/* Writing stdin to a container that already exited must be an
	 * error we can ignore, not a signal that kills the script.  Children
	 * get the default back (lua_proc.c). */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);

	luaL_newlib(L, funcs);
	dd_lua_open_run(L);
	dd_lua_open_json(L);
	add_lib_path(L, module_dir());
	return 1;
}

/* ---- drydock script ---- */

/* Like lua(1): turn any error value into a message with a traceback. */
static int message_handler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (!msg) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			msg = lua_tostring(L, -1);
		else
			msg = lua_pushfstring(L, "(error object is a %s value)",
					      luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

/* os.exit closes the Lua state first, so running handles are stopped. */
static int l_os_exit(lua_State *L)
{
	int status = lua_isboolean(L, 1)
			 ? (lua_toboolean(L, 1) ? EXIT_SUCCESS : EXIT_FAILURE)
			 : (int)luaL_optinteger(L, 1, EXIT_SUCCESS);

	fflush(NULL);
	lua_close(L);
	exit(status);
}

/* The `arg` table: arg[0] the script, arg[1..] its arguments, and the
 * command before it at negative indices, as lua(1) does. */
static void set_arg_table(lua_State *L, int argc, char **argv, const char *self)
{
	lua_createtable(L, argc - 2, 3);
	lua_pushstring(L, self);
	lua_rawseti(L, -2, -2);
	lua_pushstring(L, argv[0]);
	lua_rawseti(L, -2, -1);
	for (int i = 1; i < argc; i++) {
		lua_pushstring(L, argv[i]);
		lua_rawseti(L, -2, i - 1);
	}
	lua_setglobal(L, "arg");
}

static int run_script(lua_State *L, int argc, char **argv, const char *self)
{
	const char *file = argv[1];

	luaL_openlibs(L);
	luaL_requiref(L, "drydock", luaopen_drydock, 0);
	lua_setglobal(L, "dd");
	lua_getglobal(L, "os");
	lua_pushcfunction(L, l_os_exit);
	lua_setfield(L, -2, "exit");
	lua_pop(L, 1);
	set_arg_table(L, argc, argv, self);

	lua_pushcfunction(L, message_handler);
	if (luaL_loadfile(L, strcmp(file, "-") ? file : NULL) != LUA_OK)
		return -1;
	for (int i = 2; i < argc; i++) /* the script's `...` */
		lua_pushstring(L, argv[i]);
	return lua_pcall(L, argc - 2, 0, 1) == LUA_OK ? 0 : -1;
}

int cmd_script(int argc, char **argv, struct dd_globals *g)
{
	char self[PATH_MAX];
	ssize_t n;
	lua_State *L;
	int status = EXIT_SUCCESS;

	const struct dd_flags_spec spec = { .stop_at_operand = true, .apply = dd_cli_set_bool };
	_cleanup_free_ char **ops = NULL;
	int nops, first;

	/* The script's own arguments, flags too, follow FILE.lua. */
	if (dd_cli_parse("script", &spec, argc, argv, &ops, &nops) < 0)
		return DD_EXIT_ERROR;
	if (nops == 0)
		return dd_cli_usage_error("script",
					  "\"drydock script\" requires a FILE.lua");
	for (first = 1; argv[first] != ops[0]; first++)
		;
	argc -= first - 1;
	argv += first - 1;
	/* Scripts and the programs they start use this very drydock and the
	 * data root given with --root, unless the environment says otherwise;
	 * the run root too when one was given, else each drydock they start
	 * derives it from the data root it is given (a script that moves
	 * DRYDOCK_ROOT gets a private run root with it). */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		setenv("DRYDOCK_BIN", self, 0);
	}
	setenv("DRYDOCK_ROOT", g->roots.data, 1);
	if (g->runroot_given)
		setenv("DRYDOCK_RUNROOT", g->roots.run, 1);

	if (!(L = luaL_newstate())) {
		fprintf(stderr, "drydock: Cannot create a Lua state: out of memory\n");
		return DD_EXIT_ERROR;
	}
	if (run_script(L, argc, argv, g->self) < 0) {
		fprintf(stderr, "drydock: %s\n", lua_tostring(L, -1));
		status = SCRIPT_EXIT_ERROR;
	}
	fflush(stdout);
	lua_close(L);
	return status;
}
