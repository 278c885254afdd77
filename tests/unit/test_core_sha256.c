/* test_core_sha256.c: the SHA-256 behind image ids, against FIPS 180-4's
 * examples and against itself fed in pieces. */
#include "testutil.h"

#include "core/base/sha256.h"

static void hash_hex(const void *data, size_t len, char out[DD_SHA256_HEX])
{
	struct dd_sha256 c;

	dd_sha256_init(&c);
	dd_sha256_update(&c, data, len);
	dd_sha256_hex(&c, out);
}

static void test_sha256_matches_the_standard_vectors(void **state)
{
	static const struct {
		const char *msg, *digest;
	} vectors[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
		  "jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	char hex[DD_SHA256_HEX];

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		hash_hex(vectors[i].msg, strlen(vectors[i].msg), hex);
		assert_string_equal(hex, vectors[i].digest);
	}
}

static void test_sha256_of_a_million_a(void **state)
{
	char *a = malloc(1000000), hex[DD_SHA256_HEX];

	assert_non_null(a);
	memset(a, 'a', 1000000);
	hash_hex(a, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

/* Lengths around the 55/56/64-byte padding edges, fed in random pieces. */
static void test_sha256_gives_the_same_digest_however_the_input_is_split(void **state)
{
	unsigned char buf[300];
	char whole[DD_SHA256_HEX], pieces[DD_SHA256_HEX];

	assert_int_equal(getrandom(buf, sizeof(buf), 0), sizeof(buf));
	for (size_t len = 0; len <= sizeof(buf); len++) {
		struct dd_sha256 c;

		hash_hex(buf, len, whole);
		dd_sha256_init(&c);
		for (size_t off = 0; off < len;) {
			size_t n = tu_random(0, 70);

			if (n > len - off)
				n = len - off;
			dd_sha256_update(&c, buf + off, n);
			off += n;
		}
		dd_sha256_hex(&c, pieces);
		assert_string_equal(whole, pieces);
	}
}

/* The same bytes through sha256sum(1), when it is installed. */
static void test_sha256_agrees_with_sha256sum(void **state)
{
	char *dir = tu_mkdtemp(), path[1024], cmd[1200], line[128] = "", hex[DD_SHA256_HEX];
	unsigned char buf[4096];
	size_t len = tu_random(1, sizeof(buf));
	FILE *f;

	assert_int_equal(getrandom(buf, len, 0), (ssize_t)len);
	snprintf(path, sizeof(path), "%s/data", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "sha256sum %s 2>/dev/null", path);
	f = popen(cmd, "r");
	if (f && !fgets(line, sizeof(line), f))
		line[0] = '\0';
	if (f)
		pclose(f);
	tu_rmdir(dir); /* before asserting, so a failure leaves nothing behind */
	if (strlen(line) > 64) {
		line[64] = '\0';
		hash_hex(buf, len, hex);
		assert_string_equal(hex, line);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_matches_the_standard_vectors),
		cmocka_unit_test(test_sha256_of_a_million_a),
		cmocka_unit_test(test_sha256_gives_the_same_digest_however_the_input_is_split),
		cmocka_unit_test(test_sha256_agrees_with_sha256sum),
	};

	return cmocka_run_group_tests_name("core sha256", tests, NULL, NULL);
}
