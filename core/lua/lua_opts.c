/*
 * lua_opts.c: reading the options tables of the Lua module.
 *
 * dd.run{image = "busybox", cmd = {"sh", "-c", "exit 3"}, env = {A = "1"}}
 * becomes `drydock run --rm -e A=1 busybox sh -c "exit 3"`.  Every field
 * is checked for its type, and an unknown field is an error, so a typo
 * in a script fails loudly instead of being ignored.
 */
#include "core/lua/lua_module.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/cleanup.h"

static const char *const run_fields[] = {
    "image",   "cmd",	"name",	     "hostname", "env",		"env_file", "workdir",
    "volumes", "tmpfs", "read_only", "init",	 "interactive", "stdin",    "rm",
    "uts",     "pid",	"network", "root",	     "runroot",	 "extra",	 "timeout",
    "cap_add", "cap_drop", "privileged", "security_opt", "ulimits",
    "user",    "userns", "group_add", NULL,
};

void dd_lua_check_fields(lua_State *L, int t, const char *who, const char *const *allowed,
			 bool allow_list)
{
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING) {
			const char *key = lua_tostring(L, -1);
			const char *const *a = allowed;

			while (*a && strcmp(*a, key))
				a++;
			if (!*a)
				luaL_error(L, "%s: unknown field '%s'", who, key);
		} else if (!allow_list || !lua_isinteger(L, -1)) {
			luaL_error(L, "%s: unexpected key of type %s in the options", who,
				   luaL_typename(L, -1));
		}
	}
}

/* Append a string to the argv table at index a. */
void dd_lua_push_arg(lua_State *L, int a, const char *s)
{
	lua_pushstring(L, s);
	lua_rawseti(L, a, (lua_Integer)lua_rawlen(L, a) + 1);
}

/* Append the value on top (a string or number) to argv; pops it. */
void dd_lua_append_value(lua_State *L, int a, const char *who, const char *field)
{
	int type = lua_type(L, -1);

	if (type != LUA_TSTRING && type != LUA_TNUMBER)
		luaL_error(L, "%s: field '%s' must hold strings, got %s", who, field,
			   lua_typename(L, type));
	lua_pushstring(L, lua_tostring(L, -1)); /* a copy: numbers become strings */
	lua_rawseti(L, a, (lua_Integer)lua_rawlen(L, a) + 1);
	lua_pop(L, 1);
}

/* t.field as a string, or NULL when absent; anything else raises. */
const char *dd_lua_opt_string(lua_State *L, int t, const char *who, const char *field)
{
	const char *s = NULL;

	if (lua_getfield(L, t, field) != LUA_TNIL) {
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: field '%s' must be a string, got %s", who,
				   field, luaL_typename(L, -1));
		s = lua_tostring(L, -1); /* still referenced by t after the pop */
	}
	lua_pop(L, 1);
	return s;
}

static bool opt_bool(lua_State *L, int t, const char *who, const char *field, bool dflt)
{
	bool b = dflt;

	if (lua_getfield(L, t, field) != LUA_TNIL) {
		if (lua_type(L, -1) != LUA_TBOOLEAN)
			luaL_error(L, "%s: field '%s' must be a boolean, got %s", who,
				   field, luaL_typename(L, -1));
		b = lua_toboolean(L, -1);
	}
	lua_pop(L, 1);
	return b;
}

/* Seconds; nil -> dflt, false or 0 -> no limit. */
double dd_lua_opt_seconds(lua_State *L, int idx, const char *who, const char *field,
			  double dflt)
{
	double s = dflt;

	if (lua_type(L, idx) == LUA_TBOOLEAN && !lua_toboolean(L, idx))
		return 0;
	if (!lua_isnoneornil(L, idx)) {
		if (!lua_isnumber(L, idx) || lua_tonumber(L, idx) < 0)
			luaL_error(L, "%s: %s must be a number of seconds >= 0", who,
				   field);
		s = lua_tonumber(L, idx);
	}
	return s;
}

/* Each string of the list t.field, prefixed by flag (NULL: none). */
static void append_list(lua_State *L, int t, int a, const char *who, const char *field,
			const char *flag)
{
	lua_Integer n;

	if (lua_getfield(L, t, field) == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		luaL_error(L, "%s: field '%s' must be a table of strings, got %s%s", who,
			   field, luaL_typename(L, -1),
			   lua_type(L, -1) == LUA_TSTRING ? " (strings are not split)"
							  : "");
	n = (lua_Integer)lua_rawlen(L, -1);
	for (lua_Integer i = 1; i <= n; i++) {
		if (flag)
			dd_lua_push_arg(L, a, flag);
		lua_rawgeti(L, -1, i);
		dd_lua_append_value(L, a, who, field);
	}
	lua_pop(L, 1);
}

static int compare_strings(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* env = {"K=V", ...} or {K = "V", ...} (or both): -e K=V each, the
 * named ones sorted so the command line does not depend on hashing. */
static void append_env(lua_State *L, int t, int a, const char *who)
{
	const char **keys;
	size_t nkeys = 0, i = 0;
	int env;

	if (lua_getfield(L, t, "env") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		luaL_error(L, "%s: field 'env' must be a table, got %s", who,
			   luaL_typename(L, -1));
	env = lua_gettop(L);
	for (lua_Integer k = 1; k <= (lua_Integer)lua_rawlen(L, env); k++) {
		dd_lua_push_arg(L, a, "-e");
		lua_rawgeti(L, env, k);
		dd_lua_append_value(L, a, who, "env");
	}
	lua_pushnil(L);
	while (lua_next(L, env)) {
		lua_pop(L, 1);
		nkeys += lua_type(L, -1) == LUA_TSTRING;
	}
	keys = lua_newuserdatauv(L, (nkeys + 1) * sizeof(*keys), 0);
	lua_pushnil(L);
	while (lua_next(L, env)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING)
			keys[i++] = lua_tostring(L, -1); /* anchored by the env table */
	}
	qsort(keys, nkeys, sizeof(*keys), compare_strings);
	for (i = 0; i < nkeys; i++) {
		int type = lua_getfield(L, env, keys[i]);

		if (type != LUA_TSTRING && type != LUA_TNUMBER)
			luaL_error(L, "%s: env.%s must be a string, got %s", who, keys[i],
				   lua_typename(L, type));
		dd_lua_push_arg(L, a, "-e");
		lua_pushfstring(L, "%s=%s", keys[i], lua_tostring(L, -1));
		lua_rawseti(L, a, (lua_Integer)lua_rawlen(L, a) + 1);
		lua_pop(L, 1);
	}
	lua_pop(L, 2); /* keys, env */
}

static void append_flag_value(lua_State *L, int t, int a, const char *who,
			      const char *field, const char *flag)
{
	const char *v = dd_lua_opt_string(L, t, who, field);

	if (v) {
		dd_lua_push_arg(L, a, flag);
		dd_lua_push_arg(L, a, v);
	}
}

void dd_lua_push_root_args(lua_State *L, int a, int t, const char *who)
{
	static const char *const flags[][2] = { { "root", "--root" },
						 { "runroot", "--runroot" } };

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		const char *dir = dd_lua_opt_string(L, t, who, flags[i][0]);

		if (dir) {
			dd_lua_push_arg(L, a, flags[i][1]);
			dd_lua_push_arg(L, a, dir);
		}
	}
}

/*
 * Push the argv table of `drydock [--root R] [--runroot RR] run FLAGS IMAGE CMD...` for
 * the options table at t; also returns its stdin text and time limit.
 */
int dd_lua_push_run_argv(lua_State *L, int t, const char *who, const char **stdin_data,
			 size_t *stdin_len, double *timeout)
{
	const char *image;
	int a;

	luaL_checktype(L, t, LUA_TTABLE);
	dd_lua_check_fields(L, t, who, run_fields, false);
	image = dd_lua_opt_string(L, t, who, "image");
	if (!image) {
		/* dd.default_image, if the script set one (ddtest does). */
		if (lua_getfield(L, lua_upvalueindex(1), "default_image") == LUA_TSTRING)
			image = lua_tostring(L, -1); /* the module table keeps it alive */
		lua_pop(L, 1);
	}
	if (!image)
		luaL_error(L, "%s: field 'image' is required (e.g. image = \"busybox\")",
			   who);
	lua_newtable(L);
	a = lua_gettop(L);
	dd_lua_push_arg(L, a, dd_lua_bin(L));
	dd_lua_push_root_args(L, a, t, who);
	dd_lua_push_arg(L, a, "run");
	if (opt_bool(L, t, who, "rm", true))
		dd_lua_push_arg(L, a, "--rm");
	append_flag_value(L, t, a, who, "name", "--name");
	append_flag_value(L, t, a, who, "hostname", "--hostname");
	append_env(L, t, a, who);
	append_flag_value(L, t, a, who, "env_file", "--env-file");
	append_flag_value(L, t, a, who, "workdir", "--workdir");
	append_list(L, t, a, who, "volumes", "--volume");
	append_list(L, t, a, who, "tmpfs", "--tmpfs");
	if (opt_bool(L, t, who, "read_only", false))
		dd_lua_push_arg(L, a, "--read-only");
	if (opt_bool(L, t, who, "init", false))
		dd_lua_push_arg(L, a, "--init");
	/* stdin alone does not imply -i: a test may check that it is not passed. */
	if (opt_bool(L, t, who, "interactive", false))
		dd_lua_push_arg(L, a, "--interactive");
	append_flag_value(L, t, a, who, "uts", "--uts");
	append_flag_value(L, t, a, who, "pid", "--pid");
	append_flag_value(L, t, a, who, "network", "--network");
	/* Users (chapter 04): a user, a mode, groups. */
	append_flag_value(L, t, a, who, "user", "--user");
	append_flag_value(L, t, a, who, "userns", "--userns");
	append_list(L, t, a, who, "group_add", "--group-add");
	/* Confinement (chapter 16): lists of names and options, as the flags. */
	append_list(L, t, a, who, "cap_add", "--cap-add");
	append_list(L, t, a, who, "cap_drop", "--cap-drop");
	if (opt_bool(L, t, who, "privileged", false))
		dd_lua_push_arg(L, a, "--privileged");
	append_list(L, t, a, who, "security_opt", "--security-opt");
	append_list(L, t, a, who, "ulimits", "--ulimit");
	append_list(L, t, a, who, "extra", NULL);
	dd_lua_push_arg(L, a, image);
	append_list(L, t, a, who, "cmd", NULL);

	*stdin_data = NULL;
	*stdin_len = 0;
	if (lua_getfield(L, t, "stdin") != LUA_TNIL) {
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: field 'stdin' must be a string, got %s", who,
				   luaL_typename(L, -1));
		*stdin_data = lua_tolstring(L, -1, stdin_len); /* anchored by t */
	}
	lua_pop(L, 1);
	lua_getfield(L, t, "timeout");
	*timeout =
	    dd_lua_opt_seconds(L, -1, who, "field 'timeout'", DD_LUA_DEFAULT_TIMEOUT);
	lua_pop(L, 1);
	return a;
}
