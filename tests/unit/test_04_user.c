/* test_04_user.c: lab 04, user namespaces: id maps, subordinate ids, -u.
 *
 * Most of the lab is arithmetic and parsing, tested on values made up
 * here (random where an answer could be hard-coded).  The files of
 * /etc/subuid are temporary copies: the real ones are never touched.
 * The last tests write a real child's maps: the child makes a user
 * namespace of its own, the test writes its uid_map and gid_map from
 * outside, as drydock does, and the child becomes that namespace's
 * root. */
#include "testutil.h"

#include <grp.h>
#include <sched.h>
#include <sys/capability.h>

#include "chapters/04-user/user.h"

/* The largest id plus one, as the kernel counts: (uid_t)-1 is "none". */
#define ID_LIMIT 4294967295ul

/* --- id maps ------------------------------------------------------------ */

static void test_ids_map_both_ways_through_a_checked_map_up_to_each_lines_last_id(void **state)
{
	/* Three lines, inside and outside ranges apart from each other. */
	unsigned c0 = 0, h0 = tu_random(100000, 200000), n0 = tu_random(1, 1000);
	unsigned c1 = n0 + tu_random(1, 50), h1 = h0 + n0 + tu_random(1, 50), n1 = tu_random(1, 500);
	unsigned c2 = c1 + n1 + tu_random(1, 50), h2 = tu_random(1000, 90000), n2 = 1;
	struct dd_id_map m[] = { { c0, h0, n0 }, { c1, h1, n1 }, { c2, h2, n2 } };
	struct dd_error err = { 0 };
	char text[256], want[256];
	unsigned out;

	tu_assert_ok(user_maps_check(m, 3, "uid map", &err), &err);
	/* The kernel's text: one "inside outside count" line each. */
	snprintf(want, sizeof(want), "%u %u %u\n%u %u %u\n%u %u %u\n", c0, h0, n0, c1, h1, n1,
		 c2, h2, n2);
	assert_int_equal(user_maps_format(m, 3, text, sizeof(text), &err), strlen(want));
	assert_string_equal(text, want);
	assert_int_equal(user_maps_format(m, 3, text, strlen(want), &err), -1);

	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		unsigned first = m[i].container, last = m[i].container + m[i].count - 1;

		assert_int_equal(user_map_id(m, 3, first, &out), 0);
		assert_int_equal(out, m[i].host);
		assert_int_equal(user_map_id(m, 3, last, &out), 0);
		assert_int_equal(out, m[i].host + m[i].count - 1);
		assert_int_equal(user_unmap_id(m, 3, m[i].host, &out), 0);
		assert_int_equal(out, first);
		assert_int_equal(user_unmap_id(m, 3, m[i].host + m[i].count - 1, &out), 0);
		assert_int_equal(out, last);
		/* One past the line's last id belongs to no line here. */
		assert_int_equal(user_map_id(m, 3, last + 1, &out), -1);
		assert_int_equal(user_unmap_id(m, 3, m[i].host + m[i].count, &out), -1);
	}
	/* One before a line that does not start at 0, and far away. */
	assert_int_equal(user_map_id(m, 3, c1 - 1, &out), -1);
	assert_int_equal(user_unmap_id(m, 3, h1 - 1, &out), -1);
	assert_int_equal(user_map_id(m, 3, 4000000000u, &out), -1);
	assert_int_equal(user_unmap_id(m, 0, h0, &out), -1);
}

/* user_maps_check(maps, n) must fail, with a usage error naming what. */
static void assert_maps_refused(const struct dd_id_map *m, size_t n, const char *why)
{
	struct dd_error err = { 0 };

	if (user_maps_check(m, n, "gid map", &err) != -1)
		fail_msg("a map with %s was accepted", why);
	assert_int_equal(err.kind, DD_ERR_USAGE);
	if (!strstr(err.msg, "gid map"))
		fail_msg("the error for a map with %s does not say which map: '%s'", why, err.msg);
}

static void test_maps_the_kernel_would_refuse_are_refused(void **state)
{
	unsigned h = tu_random(100000, 500000), n = tu_random(10, 65536);
	struct dd_id_map six[DD_ID_MAPS_MAX + 1];
	struct dd_error err = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(six); i++)
		six[i] = (struct dd_id_map){ i * n, h + i * n, n };
	assert_maps_refused(six, 0, "no lines");
	assert_maps_refused(six, DD_ID_MAPS_MAX + 1, "more lines than drydock writes");
	tu_assert_ok(user_maps_check(six, DD_ID_MAPS_MAX, "gid map", &err), &err);

	assert_maps_refused((struct dd_id_map[]){ { 0, h, 0 } }, 1, "an empty line");
	assert_maps_refused((struct dd_id_map[]){ { 0, h, n }, { n, h + n, 0 } }, 2,
			    "an empty second line");
	/* Ends at 2^32: the sum wraps in 32 bits, to a small number. */
	assert_maps_refused((struct dd_id_map[]){ { ID_LIMIT - n + 1, h, n } }, 1,
			    "an inside range past the largest id");
	assert_maps_refused((struct dd_id_map[]){ { 0, ID_LIMIT - n + 1, n } }, 1,
			    "an outside range past the largest id");
	assert_maps_refused((struct dd_id_map[]){ { 0, 4294967200u, 1000 } }, 1,
			    "an outside range that wraps past 2^32");
	/* Up to the largest id exactly is fine. */
	tu_assert_ok(user_maps_check((struct dd_id_map[]){ { ID_LIMIT - n, ID_LIMIT - n, n } }, 1,
				     "gid map", &err),
		     &err);

	assert_maps_refused((struct dd_id_map[]){ { 0, h, n }, { n - 1, h + 2 * n, n } }, 2,
			    "inside ranges that share one id");
	assert_maps_refused((struct dd_id_map[]){ { 0, h, n }, { 2 * n, h + n - 1, n } }, 2,
			    "outside ranges that share one id");
	assert_maps_refused((struct dd_id_map[]){ { 0, h, n }, { 5 * n, h + 7 * n, n },
						  { n / 2, h + 9 * n, 1 } },
			    3, "a third line inside the first one's inside range");
	/* Adjacent lines, in any order, are a valid map. */
	tu_assert_ok(user_maps_check((struct dd_id_map[]){ { n, h, n }, { 0, h + n, n },
							   { 2 * n, h + 2 * n, 1 } },
				     3, "gid map", &err),
		     &err);
}

/* --- /etc/subuid lines ---------------------------------------------------- */

static void test_subordinate_id_lines_parse_name_start_and_count(void **state)
{
	unsigned long start = tu_random(100000, 3000000), count = tu_random(1, 1000000);
	struct user_subid s;
	struct dd_error err = { 0 };
	char line[128];
	const char *skipped[] = { "", "\n", "# drydock:1:2\n", "#\n", "  \t\n" };

	snprintf(line, sizeof(line), "dd-user%u:%lu:%lu\n", tu_random(1, 9999), start, count);
	assert_int_equal(user_subid_parse_line(line, &s, &err), 0);
	assert_int_equal(strncmp(line, s.name, strlen(s.name)), 0);
	assert_int_equal(line[strlen(s.name)], ':');
	assert_int_equal(s.start, start);
	assert_int_equal(s.count, count);

	/* The line ends at its newline: what follows is the next line. */
	assert_int_equal(user_subid_parse_line("alice:100000:65536\nbob:x", &s, &err), 0);
	assert_string_equal(s.name, "alice");
	assert_int_equal(s.count, 65536);
	/* A range that ends at the largest id exactly. */
	snprintf(line, sizeof(line), "edge:%lu:%lu", ID_LIMIT - count, count);
	assert_int_equal(user_subid_parse_line(line, &s, &err), 0);
	assert_int_equal(s.start, ID_LIMIT - count);

	for (size_t i = 0; i < ARRAY_SIZE(skipped); i++) {
		if (user_subid_parse_line(skipped[i], &s, &err) != 1)
			fail_msg("'%s' is not skipped as a blank line or a comment", skipped[i]);
	}
}

static void test_malformed_subordinate_id_lines_are_refused_naming_the_line(void **state)
{
	char past[64], wrap[64], big[64];
	const char *bad[] = {
		"alice:100000",		 /* a field missing */
		"alice",		 /* two missing */
		":100000:65536",	 /* no name */
		"alice:100000:65536:",	 /* an extra colon */
		"alice:100000:65536:1",	 /* an extra field */
		"alice::65536",		 /* an empty start */
		"alice:100000:",	 /* an empty count */
		"alice:+100000:65536",	 /* a sign */
		"alice:-100000:65536",
		"alice:100000:-65536",
		"alice:100000:+65536",
		"alice: 100000:65536",	 /* not a digit */
		"alice:10O000:65536",
		"alice:100000:65536x",	 /* trailing garbage */
		"alice:100000:0x10000",
		"alice:0x186a0:65536",
		"alice:100000:0",	 /* an empty range */
		"alice:99999999999999999999999:1", /* overflow */
		"alice:1:18446744073709551617",
		past, wrap, big,
	};

	/* Ranges past the largest id: by one, and by a sum that wraps. */
	snprintf(past, sizeof(past), "alice:%lu:%u", ID_LIMIT - 10, tu_random(11, 65536));
	snprintf(wrap, sizeof(wrap), "alice:%lu:%lu", ID_LIMIT - 1, ID_LIMIT - 1);
	snprintf(big, sizeof(big), "alice:%lu:1", ID_LIMIT + tu_random(1, 1000));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct user_subid s;
		struct dd_error err = { 0 };
		char line[128];

		snprintf(line, sizeof(line), "%s\n", bad[i]);
		if (user_subid_parse_line(line, &s, &err) != -1)
			fail_msg("the line '%s' was not refused", bad[i]);
		assert_int_equal(err.kind, DD_ERR_USAGE);
		if (!strstr(err.msg, bad[i]))
			fail_msg("the error for '%s' does not name the line: '%s'", bad[i], err.msg);
	}
}

/* --- a free range ----------------------------------------------------------- */

static void test_a_free_range_starts_at_the_lowest_start_past_every_entry(void **state)
{
	unsigned long count = USER_SUBID_COUNT, gap = tu_random(1, 1000), at;
	struct dd_error err = { 0 };
	/* Listed out of order: moving past the first entry lands on the
	 * second, which was already looked at. */
	struct user_subid unsorted[] = {
		{ "b", USER_SUBID_MIN + 1000, count },
		{ "a", USER_SUBID_MIN, 1000 },
		{ "c", USER_SUBID_MIN + 1000 + count + gap, count },
	};
	/* Gaps of count - 1 ids (x..y), none (y..w) and exactly count (w..z). */
	struct user_subid adjacent[] = {
		{ "x", USER_SUBID_MIN + 10, 5 },
		{ "y", USER_SUBID_MIN + 15 + count - 1, 1 },
		{ "z", USER_SUBID_MIN + 15 + count + 3 + count, 7 },
		{ "w", USER_SUBID_MIN + 15 + count, 3 },
	};
	/* Below USER_SUBID_MIN: not in the way. */
	struct user_subid low[] = { { "root", 1000, 50000 }, { "u", 0, USER_SUBID_MIN } };

	tu_assert_ok(user_subid_find_free(NULL, 0, count, &at, &err), &err);
	assert_int_equal(at, USER_SUBID_MIN);
	tu_assert_ok(user_subid_find_free(low, ARRAY_SIZE(low), count, &at, &err), &err);
	assert_int_equal(at, USER_SUBID_MIN);
	tu_assert_ok(user_subid_find_free(unsorted, ARRAY_SIZE(unsorted), count, &at, &err), &err);
	assert_int_equal(at, USER_SUBID_MIN + 1000 + count + gap + count);
	tu_assert_ok(user_subid_find_free(unsorted, ARRAY_SIZE(unsorted), gap, &at, &err), &err);
	assert_int_equal(at, USER_SUBID_MIN + 1000 + count);
	tu_assert_ok(user_subid_find_free(adjacent, ARRAY_SIZE(adjacent), count, &at, &err), &err);
	assert_int_equal(at, USER_SUBID_MIN + 15 + count + 3);
	tu_assert_ok(user_subid_find_free(adjacent, ARRAY_SIZE(adjacent), count - 1, &at, &err),
		     &err);
	assert_int_equal(at, USER_SUBID_MIN + 15);
}

static void test_no_free_range_before_the_largest_start_is_an_error(void **state)
{
	unsigned long count = tu_random(2, USER_SUBID_COUNT), at = 0;
	/* Everything up to the last start that fits taken, less one id. */
	struct user_subid fits[] = {
		{ "big", USER_SUBID_MIN, USER_SUBID_MAX - count + 1 - USER_SUBID_MIN },
	};
	struct user_subid full[] = {
		{ "big", USER_SUBID_MIN, USER_SUBID_MAX - count + 2 - USER_SUBID_MIN },
	};
	struct dd_error err = { 0 };

	tu_assert_ok(user_subid_find_free(fits, 1, count, &at, &err), &err);
	assert_int_equal(at, USER_SUBID_MAX - count + 1);
	at = 0;
	assert_int_equal(user_subid_find_free(full, 1, count, &at, &err), -1);
	assert_int_equal(at, 0);
	assert_int_not_equal(err.errnum, 0);
	assert_non_null(strstr(err.msg, "subordinate ids"));
}

/* --- the subordinate id files -------------------------------------------------- */

/* The file at path holds want, byte for byte. */
static void assert_file_is(const char *path, const char *want)
{
	struct dd_error err = { 0 };
	_cleanup_free_ char *text = NULL;
	size_t len;

	tu_assert_ok(dd_read_file(path, &text, &len, &err), &err);
	if (len != strlen(want) || memcmp(text, want, len))
		fail_msg("'%s' holds\n%.*s\nnot\n%s", path, (int)len, text, want);
}

static void write_all(const char *path, const char *text)
{
	struct dd_error err = { 0 };

	tu_assert_ok(dd_write_file_atomic(path, text, strlen(text), 0644, &err), &err);
}

static void test_the_drydock_range_is_appended_leaving_every_other_line_as_it_was(void **state)
{
	char *dir = tu_mkdtemp(), path[256], lock[300], others[512], want[1024];
	unsigned long ostart = USER_SUBID_MIN + tu_random(0, 1000);
	unsigned long ocount = tu_random(USER_SUBID_COUNT, 3 * USER_SUBID_COUNT);
	struct user_subid r = { 0 };
	struct dd_error err = { 0 };
	struct stat st;

	snprintf(path, sizeof(path), "%s/subuid", dir);
	snprintf(lock, sizeof(lock), "%s.lock", path);
	/* A missing file: made, with the range at the lowest start. */
	tu_assert_ok(user_subid_range(path, USER_SUBID_OWNER, USER_SUBID_COUNT, &r, &err), &err);
	assert_string_equal(r.name, USER_SUBID_OWNER);
	assert_int_equal(r.start, USER_SUBID_MIN);
	assert_int_equal(r.count, USER_SUBID_COUNT);
	snprintf(want, sizeof(want), "%s:%lu:%u\n", USER_SUBID_OWNER, USER_SUBID_MIN,
		 USER_SUBID_COUNT);
	assert_file_is(path, want);
	assert_int_equal(access(lock, F_OK), -1);

	/* Other lines, odd ones too, and no newline at the end. */
	snprintf(others, sizeof(others),
		 "# kept as written\n\nalice:%lu:%lu\nroot:1000:5 \nbob:%lu:65536", ostart, ocount,
		 ostart + ocount + 10);
	write_all(path, others);
	assert_int_equal(chmod(path, 0640), 0);
	memset(&r, 0, sizeof(r));
	tu_assert_ok(user_subid_range(path, USER_SUBID_OWNER, USER_SUBID_COUNT, &r, &err), &err);
	assert_int_equal(r.start, ostart + ocount + 10 + 65536);
	snprintf(want, sizeof(want), "%s\n%s:%lu:%u\n", others, USER_SUBID_OWNER, r.start,
		 USER_SUBID_COUNT);
	assert_file_is(path, want);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(access(lock, F_OK), -1);
	tu_rmdir(dir);
}

static void test_an_existing_drydock_range_is_reused_and_a_too_small_one_refused(void **state)
{
	char *dir = tu_mkdtemp(), path[256], text[512];
	unsigned long start = USER_SUBID_MIN + tu_random(1, 1 << 20);
	unsigned small = tu_random(1, USER_SUBID_COUNT - 1);
	struct user_subid r = { 0 };
	struct dd_error err = { 0 };

	snprintf(path, sizeof(path), "%s/subgid", dir);
	snprintf(text, sizeof(text), "alice:%lu:65536\n%s:%lu:%u\nbob:%lu:10\n",
		 USER_SUBID_MIN - 65536, USER_SUBID_OWNER, start, 2 * USER_SUBID_COUNT,
		 start + 2 * USER_SUBID_COUNT);
	write_all(path, text);
	tu_assert_ok(user_subid_range(path, USER_SUBID_OWNER, USER_SUBID_COUNT, &r, &err), &err);
	assert_string_equal(r.name, USER_SUBID_OWNER);
	assert_int_equal(r.start, start);
	assert_int_equal(r.count, USER_SUBID_COUNT);
	assert_file_is(path, text);

	snprintf(text, sizeof(text), "%s:%lu:%u\n", USER_SUBID_OWNER, start, small);
	write_all(path, text);
	assert_int_equal(user_subid_range(path, USER_SUBID_OWNER, USER_SUBID_COUNT, &r, &err), -1);
	assert_int_equal(err.kind, DD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "too small"));
	assert_file_is(path, text);
	text[strlen(text) - 1] = '\0';
	if (!strstr(err.msg, text))
		fail_msg("the error does not name the range '%s': '%s'", text, err.msg);
	tu_rmdir(dir);
}

static void test_a_malformed_line_in_the_file_is_an_error_naming_it(void **state)
{
	char *dir = tu_mkdtemp(), path[256], text[512], badline[64];
	struct user_subid r = { 0 };
	struct dd_error err = { 0 };

	snprintf(path, sizeof(path), "%s/subuid", dir);
	snprintf(badline, sizeof(badline), "carol:%u:65536junk", tu_random(100000, 900000));
	snprintf(text, sizeof(text), "alice:100000:65536\n%s\nbob:300000:65536\n", badline);
	write_all(path, text);
	assert_int_equal(user_subid_range(path, USER_SUBID_OWNER, USER_SUBID_COUNT, &r, &err), -1);
	if (!strstr(err.msg, badline) || !strstr(err.msg, path))
		fail_msg("the error does not name the line '%s' of '%s': '%s'", badline, path,
			 err.msg);
	assert_file_is(path, text);
	assert_int_equal(setenv(USER_SUBUID_ENV, path, 1), 0);
	assert_string_equal(user_subid_path(false), path);
	unsetenv(USER_SUBUID_ENV);
	tu_rmdir(dir);
}

/* --- -u against the image's /etc/passwd and /etc/group -------------------------- */

/* An image's files, with a user of random name and ids. */
struct image_users {
	char name[32], group[32], other[32];
	unsigned uid, gid, member_gid, other_gid;
	char passwd[512], groups[512];
};

static void make_image_users(struct image_users *u)
{
	snprintf(u->name, sizeof(u->name), "user%u", tu_random(1, 99999));
	snprintf(u->group, sizeof(u->group), "grp%u", tu_random(1, 99999));
	snprintf(u->other, sizeof(u->other), "oth%u", tu_random(1, 99999));
	u->uid = tu_random(1000, 1999);
	u->gid = tu_random(2000, 2999);
	u->member_gid = tu_random(3000, 3999);
	u->other_gid = tu_random(4000, 4999);
	snprintf(u->passwd, sizeof(u->passwd),
		 "root:x:0:0:root:/root:/bin/sh\n"
		 "broken line\n"
		 "%s:x:%u:%u:A user:/home/%s:/bin/sh\n"
		 "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
		 u->name, u->uid, u->gid, u->name);
	/* The user is a member of two groups: member_gid and "wheel" 10. */
	snprintf(u->groups, sizeof(u->groups),
		 "root:x:0:\n"
		 "wheel:x:10:root,%s\n"
		 "%s:x:%u:\n"
		 "members:x:%u:daemon,%s,%sx\n"
		 "%s:x:%u:%sx\n",
		 u->name, u->group, u->gid, u->member_gid, u->name, u->name, u->other,
		 u->other_gid, u->name);
}

static bool has_group(const struct dd_config *cfg, gid_t g)
{
	for (size_t i = 0; i < cfg->ngroups; i++)
		if (cfg->groups[i] == g)
			return true;
	return false;
}

static void test_a_user_by_name_or_uid_gets_its_gid_home_and_member_groups(void **state)
{
	struct image_users u;
	char uid[16];
	const char *specs[] = { u.name, uid };

	make_image_users(&u);
	snprintf(uid, sizeof(uid), "%u", u.uid);
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
		struct dd_config cfg = { 0 };
		struct dd_error err = { 0 };

		tu_assert_ok(user_resolve(specs[i], u.passwd, u.groups, NULL, &cfg, &err), &err);
		assert_true(cfg.user_set);
		assert_int_equal(cfg.uid, u.uid);
		assert_int_equal(cfg.gid, u.gid);
		if (cfg.ngroups != 2 || !has_group(&cfg, 10) || !has_group(&cfg, u.member_gid))
			fail_msg("-u %s: %zu supplementary groups, not the two (10 and %u) of "
				 "/etc/group that list %s", specs[i], cfg.ngroups, u.member_gid,
				 u.name);
		assert_non_null(cfg.env);
		assert_int_equal(dd_strv_len(cfg.env), 1);
		assert_int_equal(strncmp(cfg.env[0], "HOME=/home/", 11), 0);
		assert_string_equal(cfg.env[0] + 11, u.name);
		dd_strv_free(cfg.env);
	}
}

static void test_an_explicit_group_sets_the_gid_and_no_member_groups(void **state)
{
	struct image_users u;
	char spec[3][64];
	unsigned gid_number = tu_random(5000, 60000);

	make_image_users(&u);
	snprintf(spec[0], sizeof(spec[0]), "%s:%s", u.name, u.other);
	snprintf(spec[1], sizeof(spec[1]), "%u:%u", u.uid, gid_number);
	snprintf(spec[2], sizeof(spec[2]), "%u:%s", u.uid, u.other);
	for (size_t i = 0; i < ARRAY_SIZE(spec); i++) {
		struct dd_config cfg = { 0 };
		struct dd_error err = { 0 };

		tu_assert_ok(user_resolve(spec[i], u.passwd, u.groups, NULL, &cfg, &err), &err);
		assert_true(cfg.user_set);
		assert_int_equal(cfg.uid, u.uid);
		assert_int_equal(cfg.gid, i == 1 ? gid_number : u.other_gid);
		/* runc and Docker: the group given replaces the user's. */
		if (cfg.ngroups != 0)
			fail_msg("-u %s: %zu supplementary groups (the first %u), not none",
				 spec[i], cfg.ngroups, (unsigned)cfg.groups[0]);
		dd_strv_free(cfg.env);
	}
}

static void test_a_uid_the_image_lacks_runs_with_gid_0_and_no_groups(void **state)
{
	struct image_users u;
	struct dd_config cfg = { .gid = 12345 };
	struct dd_error err = { 0 };
	unsigned uid = tu_random(20000, 60000);
	char spec[16];

	make_image_users(&u);
	snprintf(spec, sizeof(spec), "%u", uid);
	tu_assert_ok(user_resolve(spec, u.passwd, u.groups, NULL, &cfg, &err), &err);
	assert_true(cfg.user_set);
	assert_int_equal(cfg.uid, uid);
	assert_int_equal(cfg.gid, 0);
	assert_int_equal(cfg.ngroups, 0);
	/* An image without /etc/passwd and /etc/group at all. */
	memset(&cfg, 0, sizeof(cfg));
	tu_assert_ok(user_resolve(spec, NULL, NULL, NULL, &cfg, &err), &err);
	assert_int_equal(cfg.uid, uid);
	assert_int_equal(cfg.gid, 0);
	dd_strv_free(cfg.env);
}

static void test_group_add_adds_groups_by_name_or_number_once_each(void **state)
{
	struct image_users u;
	char number[16], uid_gid[64];
	char *add[] = { u.other, number, (char *)"wheel", NULL };
	unsigned n = tu_random(5000, 60000);
	struct dd_config cfg = { 0 };
	struct dd_error err = { 0 };

	make_image_users(&u);
	snprintf(number, sizeof(number), "%u", n);
	tu_assert_ok(user_resolve(u.name, u.passwd, u.groups, add, &cfg, &err), &err);
	assert_int_equal(cfg.gid, u.gid);
	/* 10 and member_gid from /etc/group; other_gid and n added; wheel,
	 * already there, once. */
	assert_int_equal(cfg.ngroups, 4);
	assert_true(has_group(&cfg, 10));
	assert_true(has_group(&cfg, u.member_gid));
	assert_true(has_group(&cfg, u.other_gid));
	assert_true(has_group(&cfg, n));
	dd_strv_free(cfg.env);

	/* With a group given, --group-add is all there is. */
	memset(&cfg, 0, sizeof(cfg));
	snprintf(uid_gid, sizeof(uid_gid), "%u:%u", u.uid, u.gid);
	tu_assert_ok(user_resolve(uid_gid, u.passwd, u.groups, add + 1, &cfg, &err), &err);
	assert_int_equal(cfg.ngroups, 2);
	assert_true(has_group(&cfg, n));
	assert_true(has_group(&cfg, 10));
	dd_strv_free(cfg.env);
}

static void test_unknown_users_and_groups_are_refused_by_name(void **state)
{
	struct image_users u;
	char nouser[32], nogroup[32], spec[96], *add[] = { nogroup, NULL };
	const char *bad[] = { "", ":", "root:", ":root" };

	make_image_users(&u);
	snprintf(nouser, sizeof(nouser), "nobody%u", tu_random(1, 99999));
	snprintf(nogroup, sizeof(nogroup), "nogrp%u", tu_random(1, 99999));
	for (int k = 0; k < 4; k++) {
		struct dd_config cfg = { 0 };
		struct dd_error err = { 0 };
		const char *culprit = k == 0 ? nouser : nogroup;

		if (k == 0)
			snprintf(spec, sizeof(spec), "%s", nouser);
		else if (k == 1)
			snprintf(spec, sizeof(spec), "%s:%s", u.name, nogroup);
		else if (k == 2)
			snprintf(spec, sizeof(spec), "%u:%s", u.uid, nogroup);
		else
			snprintf(spec, sizeof(spec), "%s", u.name);
		if (user_resolve(spec, u.passwd, u.groups, k == 3 ? add : NULL, &cfg, &err) != -1)
			fail_msg("-u %s%s was accepted", spec, k == 3 ? " --group-add nogrp" : "");
		assert_int_equal(err.kind, DD_ERR_USAGE);
		if (!strstr(err.msg, culprit))
			fail_msg("the error for -u %s does not name '%s': '%s'", spec, culprit,
				 err.msg);
		dd_strv_free(cfg.env);
	}
	/* The user is looked up in the image's files, never the host's. */
	for (size_t i = 0; i < ARRAY_SIZE(bad) + 1; i++) {
		struct dd_config cfg = { 0 };
		struct dd_error err = { 0 };
		const char *s = i < ARRAY_SIZE(bad) ? bad[i] : "root";

		if (user_resolve(s, i < ARRAY_SIZE(bad) ? u.passwd : NULL, u.groups, NULL, &cfg,
				 &err) != -1)
			fail_msg("-u '%s' was accepted%s", s,
				 i < ARRAY_SIZE(bad) ? "" : " in an image with no /etc/passwd");
		assert_int_equal(err.kind, DD_ERR_USAGE);
		dd_strv_free(cfg.env);
	}
}

/* --- a real user namespace ----------------------------------------------------- */

struct userns_child {
	int ready[2], go[2]; /* child -> test: unshared; test -> child: maps written */
	bool privileged;     /* the maps' writer can leave setgroups allowed */
	gid_t host_group;    /* a supplementary group the child has on the host */
};

/* In a forked child: a user namespace of its own, then wait for the
 * test to write the maps, then become its root. */
static int become_root_in_a_new_namespace(void *arg)
{
	struct userns_child *u = arg;
	struct dd_error err = { 0 };
	ino_t host = tu_ns_inode(CLONE_NEWUSER);
	uid_t r, e, s;
	gid_t rg, eg, sg, groups[8];
	int ngroups;
	char c;

	close(u->ready[0]);
	close(u->go[1]);
	if (setgroups(1, &u->host_group) < 0)
		return tu_child_fail("setgroups on the host: %s", strerror(errno));
	if (unshare(CLONE_NEWUSER) < 0)
		return tu_child_fail("unshare(CLONE_NEWUSER): %s", strerror(errno));
	if (tu_ns_inode(CLONE_NEWUSER) == host)
		return tu_child_fail("unshare(CLONE_NEWUSER) left the child in the host's "
				     "user namespace");
	if (write(u->ready[1], "r", 1) != 1)
		return tu_child_fail("cannot tell the test the namespace exists");
	if (read(u->go[0], &c, 1) != 1)
		return tu_child_fail("the test did not write the maps");
	if (user_become_root(&err) < 0)
		return tu_child_fail("user_become_root returned -1: %s", err.msg);
	if (getresuid(&r, &e, &s) < 0 || r || e || s)
		return tu_child_fail("after user_become_root the uids are %u %u %u, not 0 0 0",
				     (unsigned)r, (unsigned)e, (unsigned)s);
	if (getresgid(&rg, &eg, &sg) < 0 || rg || eg || sg)
		return tu_child_fail("after user_become_root the gids are %u %u %u, not 0 0 0",
				     (unsigned)rg, (unsigned)eg, (unsigned)sg);
	ngroups = getgroups(ARRAY_SIZE(groups), groups);
	if (u->privileged && ngroups != 0)
		return tu_child_fail("after user_become_root the child still has %d supplementary "
				     "groups (the first shows as %u): the host's groups were not "
				     "dropped", ngroups, (unsigned)groups[0]);
	return 0;
}

/* The contents of /proc/PID/NAME, in buf. */
static const char *proc_text(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[64];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return buf;
	n = read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

/* The kernel pads a map's fields: "0 100000 65536" reads back as
 * "         0     100000      65536"; one line's numbers. */
static bool map_reads(const char *text, const struct dd_id_map *m)
{
	unsigned a, b, c;

	return sscanf(text, "%u %u %u", &a, &b, &c) == 3 && a == m->container && b == m->host &&
	       c == m->count;
}

static void run_in_a_user_namespace(bool privileged)
{
	unsigned host = tu_random(200000, 400000);
	struct dd_config cfg = {
		.uid_maps = { { 0, host, USER_SUBID_COUNT } },
		.gid_maps = { { 0, host + tu_random(1, 1000) * 65536, USER_SUBID_COUNT } },
		.nuid_maps = 1,
		.ngid_maps = 1,
	};
	struct userns_child u = { .privileged = privileged, .host_group = tu_random(5000, 6000) };
	struct tu_child child;
	struct dd_error err = { 0 };
	char uid_map[256] = "", gid_map[256] = "", setgroups[32] = "", c;
	int rc = -1;

	assert_int_equal(pipe(u.ready), 0);
	assert_int_equal(pipe(u.go), 0);
	tu_start(&child, NULL, 0, become_root_in_a_new_namespace, &u);
	close(u.ready[1]);
	close(u.go[0]);
	if (read(u.ready[0], &c, 1) == 1) {
		rc = user_write_maps(child.pid, &cfg, privileged, &err);
		proc_text(child.pid, "uid_map", uid_map, sizeof(uid_map));
		proc_text(child.pid, "gid_map", gid_map, sizeof(gid_map));
		proc_text(child.pid, "setgroups", setgroups, sizeof(setgroups));
		if (rc == 0 && write(u.go[1], "g", 1) != 1)
			rc = -1;
	}
	/* On any failure the child reads EOF and leaves: reap it first. */
	close(u.go[1]);
	close(u.ready[0]);
	if (tu_child_failed(tu_wait(&child)) && rc == 0)
		fail();
	if (rc < 0)
		fail_msg("user_write_maps(privileged %d) returned %d: %s", privileged, rc,
			 err.msg[0] ? err.msg : "(no message)");
	if (!map_reads(uid_map, &cfg.uid_maps[0]) || !map_reads(gid_map, &cfg.gid_maps[0]))
		fail_msg("the child's uid_map reads '%s' and gid_map '%s', not '0 %u %u' and "
			 "'0 %u %u'", uid_map, gid_map, host, USER_SUBID_COUNT,
			 cfg.gid_maps[0].host, USER_SUBID_COUNT);
	if (strncmp(setgroups, privileged ? "allow" : "deny", privileged ? 5 : 4))
		fail_msg("with a%s writer the child's setgroups reads '%s'",
			 privileged ? " privileged" : "n unprivileged", setgroups);
}

static void test_a_child_whose_maps_are_written_becomes_root_of_its_namespace(void **state)
{
	run_in_a_user_namespace(true);
}

static void test_an_unprivileged_writer_denies_setgroups_before_the_gid_map(void **state)
{
	run_in_a_user_namespace(false);
}

/* In a forked child (root on the host): switch to the user, check. */
static int switch_user(void *arg)
{
	const struct dd_config *cfg = arg;
	struct dd_error err = { 0 };
	uid_t r, e, s;
	gid_t rg, eg, sg, groups[DD_GROUPS_MAX];
	int n;
	cap_t caps;
	cap_flag_value_t v = CAP_CLEAR;

	if (user_switch(cfg, &err) < 0)
		return tu_child_fail("user_switch returned -1: %s", err.msg);
	if (getresuid(&r, &e, &s) < 0 || r != cfg->uid || e != cfg->uid || s != cfg->uid)
		return tu_child_fail("after user_switch the uids are %u %u %u, not %u",
				     (unsigned)r, (unsigned)e, (unsigned)s, (unsigned)cfg->uid);
	if (getresgid(&rg, &eg, &sg) < 0 || rg != cfg->gid || eg != cfg->gid || sg != cfg->gid)
		return tu_child_fail("after user_switch the gids are %u %u %u, not %u",
				     (unsigned)rg, (unsigned)eg, (unsigned)sg, (unsigned)cfg->gid);
	n = getgroups(ARRAY_SIZE(groups), groups);
	if (n != (int)cfg->ngroups)
		return tu_child_fail("after user_switch there are %d supplementary groups, not %zu",
				     n, cfg->ngroups);
	for (int i = 0; i < n; i++)
		if (groups[i] != cfg->groups[i])
			return tu_child_fail("supplementary group %d is %u, not %u", i,
					     (unsigned)groups[i], (unsigned)cfg->groups[i]);
	/* The stages after it still mount: CAP_SYS_ADMIN is effective. */
	caps = cap_get_proc();
	if (caps)
		cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
	cap_free(caps);
	if (v != CAP_SET)
		return tu_child_fail("after user_switch CAP_SYS_ADMIN is not effective any more");
	return 0;
}

static void test_switching_user_takes_groups_gid_and_uid_and_keeps_capabilities(void **state)
{
	struct dd_config cfg = {
		.uid = tu_random(1000, 30000),
		.gid = tu_random(1000, 30000),
		.groups = { tu_random(40000, 41000), tu_random(42000, 43000) },
		.ngroups = 2,
	};

	tu_child_ok(switch_user, &cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_map_both_ways_through_a_checked_map_up_to_each_lines_last_id),
		cmocka_unit_test(test_maps_the_kernel_would_refuse_are_refused),
		cmocka_unit_test(test_subordinate_id_lines_parse_name_start_and_count),
		cmocka_unit_test(test_malformed_subordinate_id_lines_are_refused_naming_the_line),
		cmocka_unit_test(test_a_free_range_starts_at_the_lowest_start_past_every_entry),
		cmocka_unit_test(test_no_free_range_before_the_largest_start_is_an_error),
		cmocka_unit_test(test_the_drydock_range_is_appended_leaving_every_other_line_as_it_was),
		cmocka_unit_test(test_an_existing_drydock_range_is_reused_and_a_too_small_one_refused),
		cmocka_unit_test(test_a_malformed_line_in_the_file_is_an_error_naming_it),
		cmocka_unit_test(test_a_user_by_name_or_uid_gets_its_gid_home_and_member_groups),
		cmocka_unit_test(test_an_explicit_group_sets_the_gid_and_no_member_groups),
		cmocka_unit_test(test_a_uid_the_image_lacks_runs_with_gid_0_and_no_groups),
		cmocka_unit_test(test_group_add_adds_groups_by_name_or_number_once_each),
		cmocka_unit_test(test_unknown_users_and_groups_are_refused_by_name),
		cmocka_unit_test(test_a_child_whose_maps_are_written_becomes_root_of_its_namespace),
		cmocka_unit_test(test_an_unprivileged_writer_denies_setgroups_before_the_gid_map),
		cmocka_unit_test(test_switching_user_takes_groups_gid_and_uid_and_keeps_capabilities),
	};

	return cmocka_run_group_tests(tests, NULL, tu_cleanup);
}
