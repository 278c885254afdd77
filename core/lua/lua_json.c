/*
 * lua_json.c: JSON for Lua scripts, through jansson.
 *
 *   dd.json_decode(text)           -> value; JSON null becomes dd.null
 *   dd.json_encode(value[, opts])  -> text; opts.indent = N pretty-prints
 *
 * Lua has one table type for both JSON arrays and objects.  A table whose
 * keys are exactly 1..n is an array (so an empty table is []); any other
 * table is an object and its keys must be strings.  Object keys are
 * written sorted, so the same value always gives the same text.
 */
#include "core/lua/lua_module.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NULL_KEY "drydock.null"
#define MAX_DEPTH 128
#define MAX_INDENT 31 /* jansson's limit */

/* ---- decoding ---- */

static void push_null(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, NULL_KEY);
}

static void push_value(lua_State *L, json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;

	luaL_checkstack(L, 3, "JSON nested too deeply");
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		lua_createtable(L, 0, json_object_size(v));
		json_object_foreach(v, key, item)
		{
			push_value(L, item);
			lua_setfield(L, -2, key);
		}
		break;
	case JSON_ARRAY:
		lua_createtable(L, json_array_size(v), 0);
		json_array_foreach(v, i, item)
		{
			push_value(L, item);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		break;
	case JSON_STRING:
		lua_pushlstring(L, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		lua_pushinteger(L, json_integer_value(v));
		break;
	case JSON_REAL:
		lua_pushnumber(L, json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		lua_pushboolean(L, json_is_true(v));
		break;
	case JSON_NULL:
		push_null(L);
		break;
	}
}

void dd_lua_push_json(lua_State *L, const char *text, size_t len, const char *who)
{
	json_error_t jerr;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

	if (!v)
		luaL_error(L, "%s: invalid JSON at line %d, column %d: %s", who,
			   jerr.line, jerr.column, jerr.text);
	push_value(L, v);
	json_decref(v);
}

static int l_json_decode(lua_State *L)
{
	size_t len;
	const char *text = luaL_checklstring(L, 1, &len);

	dd_lua_push_json(L, text, len, "dd.json_decode");
	return 1;
}

/* ---- encoding ---- */

/* Length of the well-formed UTF-8 sequence at s, or 0 if there is none. */
static size_t utf8_length(const unsigned char *s, size_t left)
{
	static const unsigned long smallest[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t n = 0;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	while (n < 5 && (s[0] & (0x80 >> n))) /* leading 1 bits: the length */
		n++;
	if (n < 2 || n > 4 || n > left)
		return 0;
	cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < smallest[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A JSON string from Lua bytes; bytes that are not UTF-8 (a container's
 * binary output) become U+FFFD instead of failing the whole document. */
static json_t *encode_string(const char *s, size_t len)
{
	static const char replacement[] = "\xef\xbf\xbd";
	json_t *v = json_stringn(s, len);
	char *clean, *w;

	if (v)
		return v;
	if (!(clean = malloc(len * 3 + 1)))
		return NULL;
	w = clean;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_length((const unsigned char *)s + i, len - i);

		if (n) {
			memcpy(w, s + i, n);
			i += n;
			w += n;
		} else {
			memcpy(w, replacement, 3);
			i++;
			w += 3;
		}
	}
	v = json_stringn(clean, w - clean);
	free(clean);
	return v;
}

/* Is the table at idx a sequence 1..n (n may be 0)? */
static bool is_array(lua_State *L, int idx, size_t *n)
{
	size_t count = 0;
	bool all_int = true;

	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		count++;
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1)
			all_int = false;
	}
	*n = count;
	return all_int && lua_rawlen(L, idx) == count;
}

/* The Lua value at idx as JSON; NULL with a message in why. */
static json_t *encode_value(lua_State *L, int idx, int depth, char *why, size_t whylen)
{
	json_t *v = NULL;
	size_t n, len;
	const char *s;

	idx = lua_absindex(L, idx);
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		return json_null();
	case LUA_TBOOLEAN:
		return json_boolean(lua_toboolean(L, idx));
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			return json_integer(lua_tointeger(L, idx));
		if (!isfinite(lua_tonumber(L, idx))) {
			snprintf(why, whylen, "cannot encode %s", lua_tostring(L, idx));
			return NULL;
		}
		return json_real(lua_tonumber(L, idx));
	case LUA_TSTRING:
		s = lua_tolstring(L, idx, &len);
		return encode_string(s, len);
	case LUA_TUSERDATA:
		push_null(L);
		if (lua_rawequal(L, -1, idx)) {
			lua_pop(L, 1);
			return json_null();
		}
		lua_pop(L, 1);
		break;
	case LUA_TTABLE:
		if (depth >= MAX_DEPTH) {
			snprintf(why, whylen, "tables nested deeper than %d (a cycle?)",
				 MAX_DEPTH);
			return NULL;
		}
		luaL_checkstack(L, 4, "JSON nested too deeply");
		if (is_array(L, idx, &n)) {
			v = json_array();
			for (size_t i = 1; v && i <= n; i++) {
				json_t *item;

				lua_rawgeti(L, idx, (lua_Integer)i);
				item = encode_value(L, -1, depth + 1, why, whylen);
				lua_pop(L, 1);
				if (!item || json_array_append_new(v, item) < 0) {
					json_decref(v);
					v = NULL;
				}
			}
			return v;
		}
		v = json_object();
		lua_pushnil(L);
		while (v && lua_next(L, idx)) {
			json_t *item = NULL;

			if (lua_type(L, -2) != LUA_TSTRING) {
				snprintf(why, whylen,
					 "object keys must be strings, not %s",
					 luaL_typename(L, -2));
			} else {
				item = encode_value(L, -1, depth + 1, why, whylen);
			}
			lua_pop(L, 1);
			/* The key may hold NUL bytes: jansson's keys cannot. */
			if (!item ||
			    json_object_set_new(v, lua_tostring(L, -1), item) < 0) {
				lua_pop(L, 1);
				json_decref(v);
				v = NULL;
			}
		}
		return v;
	}
	snprintf(why, whylen, "cannot encode a %s value", luaL_typename(L, idx));
	return NULL;
}

static int l_json_encode(lua_State *L)
{
	char why[256] = "out of memory";
	size_t flags = JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_COMPACT;
	json_t *v;
	char *text;

	luaL_checkany(L, 1);
	if (!lua_isnoneornil(L, 2)) {
		lua_Integer indent;

		luaL_checktype(L, 2, LUA_TTABLE);
		lua_getfield(L, 2, "indent");
		indent = luaL_optinteger(L, -1, 0);
		lua_pop(L, 1);
		luaL_argcheck(L, indent >= 0 && indent <= MAX_INDENT, 2,
			      "indent must be 0..31");
		if (indent > 0)
			flags = JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_INDENT(indent);
	}
	lua_settop(L, 1);
	v = encode_value(L, 1, 0, why, sizeof(why));
	if (!v)
		return luaL_error(L, "dd.json_encode: %s", why);
	text = json_dumps(v, flags);
	json_decref(v);
	if (!text)
		return luaL_error(L, "dd.json_encode: out of memory");
	lua_pushstring(L, text);
	free(text);
	return 1;
}

static int l_null_tostring(lua_State *L)
{
	lua_pushliteral(L, "null");
	return 1;
}

void dd_lua_open_json(lua_State *L)
{
	static const luaL_Reg funcs[] = {
	    {"json_decode", l_json_decode},
	    {"json_encode", l_json_encode},
	    {NULL, NULL},
	};

	/* One sentinel per Lua state, so dd.null == dd.null everywhere. */
	push_null(L);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_newuserdatauv(L, 0, 0);
		lua_createtable(L, 0, 2);
		lua_pushliteral(L, NULL_KEY);
		lua_setfield(L, -2, "__name");
		lua_pushcfunction(L, l_null_tostring);
		lua_setfield(L, -2, "__tostring");
		lua_setmetatable(L, -2);
		lua_pushvalue(L, -1);
		lua_setfield(L, LUA_REGISTRYINDEX, NULL_KEY);
	}
	lua_setfield(L, -2, "null");
	luaL_setfuncs(L, funcs, 0);
}
