/* sha256.c: SHA-256 through nettle (see sha256.h). */
#include "core/base/sha256.h"

void dd_sha256_init(struct dd_sha256 *c)
{
	sha256_init(&c->ctx);
}

void dd_sha256_update(struct dd_sha256 *c, const void *data, size_t len)
{
	sha256_update(&c->ctx, len, data);
}

void dd_sha256_final(struct dd_sha256 *c, uint8_t out[DD_SHA256_BYTES])
{
	sha256_digest(&c->ctx, DD_SHA256_BYTES, out);
}

void dd_sha256_hex(struct dd_sha256 *c, char out[DD_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t d[DD_SHA256_BYTES];

	dd_sha256_final(c, d);
	for (int i = 0; i < DD_SHA256_BYTES; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 0xf];
	}
	out[2 * DD_SHA256_BYTES] = '\0';
}
