/*
 * lua_module.h: the pieces of the `drydock` Lua module, shared by
 * core/lua*.c and nowhere else.
 *
 *   lua.c        the module table, `drydock script`, small helpers
 *   lua_run.c    dd.run, dd.spawn and its handle, dd.exec, images, info
 *   lua_opts.c   the options tables of dd.run and dd.spawn as a command line
 *   lua_proc.c   a child process with piped stdio, pumped with poll()
 *   lua_json.c   dd.json_decode, dd.json_encode, dd.null
 *
 * doc/lua-api.md describes the module as scripts see it.
 */
#ifndef DD_LUA_MODULE_H
#define DD_LUA_MODULE_H

#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/base/error.h"

/* The module's entry point (`require "drydock"`, `lua5.4 -l drydock`). */
int luaopen_drydock(lua_State *L);

/* Add the functions of lua_run.c / lua_json.c to the table on top. */
void dd_lua_open_run(lua_State *L);
void dd_lua_open_json(lua_State *L);

/* Decode JSON text and push the value; raises a Lua error on bad JSON. */
void dd_lua_push_json(lua_State *L, const char *text, size_t len, const char *who);

/* The drydock binary the module runs: $DRYDOCK_BIN, the running
 * `drydock script`, or `drydock` beside drydock.so.  Raises when none. */
const char *dd_lua_bin(lua_State *L);

/* Seconds on the monotonic clock. */
double dd_lua_now(void);

/* Seconds dd.run, dd.exec, h:wait and h:read_line wait by default. */
#define DD_LUA_DEFAULT_TIMEOUT 60.0

/* ---- lua_opts.c: reading options tables ---- */

/* Raise on a string key of table t not in allowed (NULL-terminated);
 * integer keys are allowed only when allow_list. */
void dd_lua_check_fields(lua_State *L, int t, const char *who, const char *const *allowed,
			 bool allow_list);
/* Append s to the argv table at index a. */
void dd_lua_push_arg(lua_State *L, int a, const char *s);
/* Append the string or number on top to the argv table a; pops it. */
void dd_lua_append_value(lua_State *L, int a, const char *who, const char *field);
/* t.field as a string (kept alive by t), NULL when absent; else raises. */
const char *dd_lua_opt_string(lua_State *L, int t, const char *who, const char *field);
/* Seconds at stack index idx: nil -> dflt, false or 0 -> no limit (0). */
double dd_lua_opt_seconds(lua_State *L, int idx, const char *who, const char *field,
			  double dflt);
/* Append `--root R` and `--runroot RR` to the argv table a, from the
 * fields root and runroot of the options table at t, when set. */
void dd_lua_push_root_args(lua_State *L, int a, int t, const char *who);
/* Push the argv table of `drydock [--root R] [--runroot RR] run FLAGS IMAGE CMD...` for
 * the options table at t (the caller's upvalue 1 is the module table,
 * for dd.default_image); returns its index. */
int dd_lua_push_run_argv(lua_State *L, int t, const char *who, const char **stdin_data,
			 size_t *stdin_len, double *timeout);

/* ---- lua_proc.c: a child with piped stdin, stdout and stderr ---- */

struct dd_buf {
	char *data;
	size_t len, cap;
	bool cut; /* output beyond DD_BUF_MAX was thrown away */
};

struct dd_proc {
	pid_t pid;		   /* 0: not started or already reaped */
	int pidfd;		   /* readable when the child exits; -1 if unsupported */
	int in_fd, out_fd, err_fd; /* our ends of the pipes; -1 once closed */
	char *in_data;		   /* what is left to write to its stdin */
	size_t in_len, in_off;
	struct dd_buf out, err;
	bool exited;
	int status; /* waitpid() status once exited */
};

/* Start argv[0] (looked up in $PATH when search_path) with stdin fed
 * from stdin_data (NULL: /dev/null).  0, or -1 with err. */
int dd_proc_start(struct dd_proc *p, char *const argv[], bool search_path,
		  const char *stdin_data, size_t stdin_len, struct dd_error *err);

/* Move data between the pipes and the buffers until done(p) holds (1),
 * the monotonic deadline passes (0; deadline < 0 means none), or an
 * error (-1 with err). */
int dd_proc_pump(struct dd_proc *p, double deadline,
		 bool (*done)(const struct dd_proc *p), struct dd_error *err);

/* done() conditions for dd_proc_pump. */
bool dd_proc_finished(const struct dd_proc *p);

/* Send sig to every process below pid (not pid itself). */
void dd_proc_kill_descendants(pid_t pid, int sig);

/* Stop a child for good: SIGKILL what it started, give it grace seconds
 * to clean up and exit, then SIGKILL it too; reaps it either way. */
void dd_proc_stop(struct dd_proc *p, double grace);

/* Close the pipes and free the buffers (the child must be reaped). */
void dd_proc_release(struct dd_proc *p);

/* Exit code as a shell reports it: status, or 128+N after signal N. */
int dd_proc_exit_code(const struct dd_proc *p);

/* "TERM", "SIGTERM" or "15" -> 15; -1 if unknown. */
int dd_signal_number(const char *name);

#endif
