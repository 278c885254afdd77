/*
 * lua_run.c: the functions of the Lua module that run programs.
 *
 * The module mirrors the CLI by running the drydock binary itself:
 * dd.run{image = "busybox", cmd = {"true"}} runs `drydock run --rm
 * busybox true` and returns what it printed and its exit code.  So a
 * script sees exactly what a user at the shell would, and a crash in a
 * container can never take the script down with it.
 *
 *   dd.run{...}        run to completion -> {exit_code, stdout, stderr[, signal]}
 *                      (image defaults to dd.default_image when the script set it)
 *   dd.spawn{...}      the same in the background -> handle (read_line, kill, wait, pid)
 *   dd.exec{argv...}   a host command, no shell (test set-up: mount, umount)
 *   dd.images(), dd.import{file=, name=}, dd.info()
 */
#include "core/lua/lua_module.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define HANDLE_MT "drydock.handle"
#define STOP_GRACE 5.0	/* seconds drydock gets to clean up after its container died */
#define WHAT_MAX 200	/* how much of a command line error messages quote */
#define STDERR_TAIL 600 /* how much of stderr a timeout message quotes */

/* A running (or finished) child: what dd.spawn returns. */
struct handle {
	struct dd_proc proc; /* first: dd_proc_pump's done() gets &h->proc */
	size_t out_read;     /* bytes of stdout already handed out by read_line */
	double timeout;	     /* default limit of wait and read_line, seconds; 0 none */
	char what[WHAT_MAX]; /* the command line, for messages */
};

/* ---- handles ---- */

static struct handle *check_handle(lua_State *L)
{
	return luaL_checkudata(L, 1, HANDLE_MT);
}

/* Start the argv table at index a; pushes the new handle. */
static struct handle *start(lua_State *L, int a, bool search_path, const char *stdin_data,
			    size_t stdin_len, double timeout, const char *who)
{
	size_t n = lua_rawlen(L, a), used = 0;
	char **argv = lua_newuserdatauv(L, (n + 1) * sizeof(*argv), 0);
	struct handle *h;
	struct dd_error err;

	for (size_t i = 0; i < n; i++) {
		lua_rawgeti(L, a, (lua_Integer)i + 1);
		argv[i] = (char *)lua_tostring(L, -1); /* anchored by the argv table */
		lua_pop(L, 1);
	}
	argv[n] = NULL;
	h = lua_newuserdatauv(L, sizeof(*h), 0);
	memset(h, 0, sizeof(*h));
	h->proc.pidfd = h->proc.in_fd = h->proc.out_fd = h->proc.err_fd = -1;
	h->timeout = timeout;
	luaL_setmetatable(L, HANDLE_MT);
	/* The command line for messages; the binary's path is just noise. */
	for (size_t i = 0; i < n && used + 2 < sizeof(h->what); i++)
		used +=
		    snprintf(h->what + used, sizeof(h->what) - used, "%s%s", i ? " " : "",
			     i == 0 && !search_path ? "drydock" : argv[i]);
	if (dd_proc_start(&h->proc, argv, search_path, stdin_data, stdin_len, &err) < 0)
		luaL_error(L, "%s: %s", who, err.msg);
	lua_remove(L, -2); /* argv array: the child has its own copy now */
	return h;
}

static double deadline_after(double seconds)
{
	return seconds > 0 ? dd_lua_now() + seconds : -1;
}

/* Push {exit_code, stdout, stderr[, signal]} of a finished child. */
static void push_result(lua_State *L, struct handle *h)
{
	struct dd_proc *p = &h->proc;
	size_t out_len = p->out.len - h->out_read;

	lua_createtable(L, 0, 4);
	lua_pushinteger(L, dd_proc_exit_code(p));
	lua_setfield(L, -2, "exit_code");
	lua_pushlstring(L, p->out.data ? p->out.data + h->out_read : "", out_len);
	lua_setfield(L, -2, "stdout");
	lua_pushlstring(L, p->err.data ? p->err.data : "", p->err.len);
	lua_setfield(L, -2, "stderr");
	if (WIFSIGNALED(p->status)) {
		lua_pushinteger(L, WTERMSIG(p->status));
		lua_setfield(L, -2, "signal");
	}
	if (p->out.cut || p->err.cut) {
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, "truncated");
	}
	h->out_read = p->out.len;
}

/* The end of stderr, for messages. */
static const char *stderr_tail(struct handle *h)
{
	const struct dd_buf *b = &h->proc.err;

	if (!b->data)
		return "";
	return b->len > STDERR_TAIL ? b->data + b->len - STDERR_TAIL : b->data;
}

/* Wait for the child to finish; on timeout kill it (if asked) and raise. */
static void finish(lua_State *L, struct handle *h, double seconds, bool kill_on_timeout,
		   const char *who)
{
	struct dd_error err;
	int rc;

	rc = dd_proc_pump(&h->proc, deadline_after(seconds), dd_proc_finished, &err);
	if (rc < 0)
		luaL_error(L, "%s: %s", who, err.msg);
	if (rc == 0) {
		char msg[WHAT_MAX + STDERR_TAIL + 128];

		if (kill_on_timeout)
			dd_proc_stop(&h->proc, STOP_GRACE);
		snprintf(msg, sizeof(msg),
			 "%s: %s: still running after %g s%s; stderr so far: %s", who,
			 h->what, seconds, kill_on_timeout ? " (killed)" : "",
			 stderr_tail(h));
		luaL_error(L, "%s", msg);
	}
}

static int l_run(lua_State *L)
{
	const char *in;
	size_t in_len;
	double timeout;
	int a = dd_lua_push_run_argv(L, 1, "dd.run", &in, &in_len, &timeout);
	struct handle *h = start(L, a, false, in, in_len, timeout, "dd.run");

	finish(L, h, timeout, true, "dd.run");
	push_result(L, h);
	return 1;
}

static int l_spawn(lua_State *L)
{
	const char *in;
	size_t in_len;
	double timeout;
	int a = dd_lua_push_run_argv(L, 1, "dd.spawn", &in, &in_len, &timeout);

	start(L, a, false, in, in_len, timeout, "dd.spawn");
	return 1;
}

/* dd.exec{"mount", "-t", "tmpfs", ..., stdin = "...", timeout = 60} */
static int l_exec(lua_State *L)
{
	static const char *const fields[] = {"stdin", "timeout", NULL};
	const char *in = NULL;
	size_t in_len = 0;
	double timeout;
	struct handle *h;
	int a;

	luaL_checktype(L, 1, LUA_TTABLE);
	dd_lua_check_fields(L, 1, "dd.exec", fields, true);
	if (lua_rawlen(L, 1) == 0)
		luaL_error(L,
			   "dd.exec: no command given (dd.exec{\"prog\", \"arg\", ...})");
	lua_newtable(L);
	a = lua_gettop(L);
	for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, 1); i++) {
		lua_rawgeti(L, 1, i);
		dd_lua_append_value(L, a, "dd.exec", "argv");
	}
	if (lua_getfield(L, 1, "stdin") != LUA_TNIL) {
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "dd.exec: field 'stdin' must be a string");
		in = lua_tolstring(L, -1, &in_len);
	}
	lua_pop(L, 1);
	lua_getfield(L, 1, "timeout");
	timeout = dd_lua_opt_seconds(L, -1, "dd.exec", "field 'timeout'",
				     DD_LUA_DEFAULT_TIMEOUT);
	lua_pop(L, 1);
	h = start(L, a, true, in, in_len, timeout, "dd.exec");
	finish(L, h, timeout, true, "dd.exec");
	push_result(L, h);
	return 1;
}

/* dd_proc_pump's condition for read_line: a newline past what was
 * handed out already, or EOF.  The proc is the first member of its handle. */
static bool line_ready(const struct dd_proc *p)
{
	const struct handle *h = (const struct handle *)p;

	return p->out_fd < 0 ||
	       (p->out.len > h->out_read &&
		memchr(p->out.data + h->out_read, '\n', p->out.len - h->out_read));
}

static int l_handle_read_line(lua_State *L)
{
	struct handle *h = check_handle(L);
	struct dd_proc *p = &h->proc;
	double ms = luaL_optnumber(L, 2, h->timeout * 1000);
	struct dd_error err;
	const char *start, *nl;

	if (p->pid &&
	    dd_proc_pump(p, ms > 0 ? dd_lua_now() + ms / 1000 : -1, line_ready, &err) < 0)
		return luaL_error(L, "h:read_line: %s", err.msg);
	if (p->out.len == h->out_read) {
		lua_pushnil(L); /* EOF, or nothing within the time limit */
		return 1;
	}
	start = p->out.data + h->out_read;
	nl = memchr(start, '\n', p->out.len - h->out_read);
	if (!nl && p->out_fd >= 0) {
		lua_pushnil(L); /* half a line so far: keep it for the next call */
		return 1;
	}
	lua_pushlstring(L, start, nl ? (size_t)(nl - start) : p->out.len - h->out_read);
	h->out_read += (nl ? (size_t)(nl - start) + 1 : p->out.len - h->out_read);
	return 1;
}

static int l_handle_kill(lua_State *L)
{
	struct handle *h = check_handle(L);
	int sig = SIGTERM;

	if (lua_type(L, 2) == LUA_TNUMBER)
		sig = (int)lua_tointeger(L, 2);
	else if (!lua_isnoneornil(L, 2) &&
		 (sig = dd_signal_number(luaL_checkstring(L, 2))) < 0)
		return luaL_error(L, "h:kill: unknown signal '%s'", lua_tostring(L, 2));
	if (!h->proc.pid || h->proc.exited) {
		lua_pushboolean(L, 0); /* already gone: nothing to signal */
		return 1;
	}
	/* KILL leaves drydock no chance to stop its container: take the
	 * whole tree, so a container never outlives its handle. */
	if (sig == SIGKILL)
		dd_proc_kill_descendants(h->proc.pid, SIGKILL);
	if (kill(h->proc.pid, sig) < 0)
		return luaL_error(L, "h:kill: cannot signal process %d: %s",
				  (int)h->proc.pid, strerror(errno));
	lua_pushboolean(L, 1);
	return 1;
}

static int l_handle_wait(lua_State *L)
{
	struct handle *h = check_handle(L);
	double seconds = dd_lua_opt_seconds(L, 2, "h:wait", "the timeout", h->timeout);

	finish(L, h, seconds, false, "h:wait");
	push_result(L, h);
	return 1;
}

static int l_handle_pid(lua_State *L)
{
	lua_pushinteger(L, check_handle(L)->proc.pid);
	return 1;
}

/* Collected or closed (`local h <close> = dd.spawn{...}`): stop and reap. */
static int l_handle_gc(lua_State *L)
{
	struct handle *h = check_handle(L);

	dd_proc_stop(&h->proc, STOP_GRACE);
	dd_proc_release(&h->proc);
	return 0;
}

static int l_handle_tostring(lua_State *L)
{
	struct handle *h = check_handle(L);

	lua_pushfstring(L, "drydock.handle (pid %d: %s)", (int)h->proc.pid, h->what);
	return 1;
}

/* ---- commands that print JSON or an id ---- */

/* Run `drydock [--root R] [--runroot RR] ARGS...`; raise with its stderr unless it
 * exits 0; leaves the handle on the stack and returns it. */
static struct handle *run_drydock(lua_State *L, int opts, const char *who,
				  const char *const *args)
{
	struct handle *h;
	int a;

	if (!lua_isnoneornil(L, opts))
		luaL_checktype(L, opts, LUA_TTABLE);
	lua_newtable(L);
	a = lua_gettop(L);
	dd_lua_push_arg(L, a, dd_lua_bin(L));
	if (!lua_isnoneornil(L, opts))
		dd_lua_push_root_args(L, a, opts, who);
	for (; *args; args++)
		dd_lua_push_arg(L, a, *args);
	h = start(L, a, false, NULL, 0, DD_LUA_DEFAULT_TIMEOUT, who);
	finish(L, h, DD_LUA_DEFAULT_TIMEOUT, true, who);
	if (dd_proc_exit_code(&h->proc) != 0) {
		const char *msg = h->proc.err.data ? h->proc.err.data : "";
		size_t len = h->proc.err.len;

		while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
			len--;
		if (!len)
			luaL_error(L, "%s: %s exited with %d", who, h->what,
				   dd_proc_exit_code(&h->proc));
		lua_pushlstring(L, msg, len);
		lua_error(L); /* drydock's own message says it all */
	}
	return h;
}

/* Give an image object the documented lower-case keys whatever spelling
 * the CLI's JSON uses (Docker's is ID, Repository, Tag, Size, Created). */
static void normalize_image(lua_State *L)
{
	static const char *const keys[][2] = {
	    {"id", "ID"},     {"name", "Repository"}, {"tag", "Tag"},
	    {"size", "Size"}, {"created", "Created"},
	};

	if (!lua_istable(L, -1))
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (lua_getfield(L, -1, keys[i][0]) == LUA_TNIL) {
			lua_getfield(L, -2, keys[i][1]);
			lua_setfield(L, -3, keys[i][0]);
		}
		lua_pop(L, 1);
	}
}

/* dd.images() -> {{id=, name=, tag=, size=, created=}, ...}; the CLI may
 * print one JSON array or one object per line. */
static int l_images(lua_State *L)
{
	static const char *const args[] = {"images", "--format", "json", NULL};
	struct handle *h = run_drydock(L, 1, "dd.images", args);
	const char *text = h->proc.out.data ? h->proc.out.data : "";
	lua_Integer n = 0;

	text += strspn(text, " \t\r\n");
	if (*text == '[') {
		dd_lua_push_json(L, text, strlen(text), "dd.images");
		n = (lua_Integer)lua_rawlen(L, -1);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, -1, i);
			normalize_image(L);
			lua_pop(L, 1);
		}
		return 1;
	}
	lua_newtable(L);
	while (*text) {
		size_t len = strcspn(text, "\n");

		if (len > strspn(text, " \t\r")) {
			dd_lua_push_json(L, text, len, "dd.images");
			normalize_image(L);
			lua_rawseti(L, -2, ++n);
		}
		text += len + (text[len] == '\n');
	}
	return 1;
}

static int l_info(lua_State *L)
{
	static const char *const args[] = {"info", "--format", "json", NULL};
	struct handle *h = run_drydock(L, 1, "dd.info", args);

	dd_lua_push_json(L, h->proc.out.data ? h->proc.out.data : "", h->proc.out.len,
			 "dd.info");
	return 1;
}

/* dd.import{file = "rootfs.tar", name = "mine:1"} -> image id */
static int l_import(lua_State *L)
{
	static const char *const fields[] = {"file", "name", "root", "runroot", NULL};
	const char *args[4] = {"import", NULL, NULL, NULL};
	struct handle *h;
	size_t len;

	luaL_checktype(L, 1, LUA_TTABLE);
	dd_lua_check_fields(L, 1, "dd.import", fields, false);
	if (!(args[1] = dd_lua_opt_string(L, 1, "dd.import", "file")) ||
	    !(args[2] = dd_lua_opt_string(L, 1, "dd.import", "name")))
		return luaL_error(L, "dd.import: fields 'file' and 'name' are required");
	h = run_drydock(L, 1, "dd.import", args);
	len = h->proc.out.len;
	while (len &&
	       (h->proc.out.data[len - 1] == '\n' || h->proc.out.data[len - 1] == ' '))
		len--;
	lua_pushlstring(L, h->proc.out.data ? h->proc.out.data : "", len);
	return 1;
}

void dd_lua_open_run(lua_State *L)
{
	static const luaL_Reg funcs[] = {
	    {"run", l_run},	  {"spawn", l_spawn},	{"exec", l_exec},
	    {"images", l_images}, {"import", l_import}, {"info", l_info},
	    {NULL, NULL},
	};
	static const luaL_Reg methods[] = {
	    {"read_line", l_handle_read_line},
	    {"kill", l_handle_kill},
	    {"wait", l_handle_wait},
	    {"pid", l_handle_pid},
	    {NULL, NULL},
	};

	if (luaL_newmetatable(L, HANDLE_MT)) {
		luaL_newlib(L, methods);
		lua_setfield(L, -2, "__index");
		lua_pushcfunction(L, l_handle_gc);
		lua_setfield(L, -2, "__gc");
		lua_pushcfunction(L, l_handle_gc);
		lua_setfield(L, -2, "__close");
		lua_pushcfunction(L, l_handle_tostring);
		lua_setfield(L, -2, "__tostring");
	}
	lua_pop(L, 1);
	/* The module table is the functions' upvalue (for dd.default_image). */
	lua_pushvalue(L, -1);
	luaL_setfuncs(L, funcs, 1);
}
