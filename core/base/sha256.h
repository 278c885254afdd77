/*
 * sha256.h: SHA-256 (FIPS 180-4), for content-addressed image ids.
 *
 *   struct dd_sha256 c;
 *   dd_sha256_init(&c);
 *   dd_sha256_update(&c, buf, len);     as often as needed
 *   dd_sha256_hex(&c, hex);             64 lowercase hex digits
 *
 * The work is nettle's, which uses the CPU's SHA instructions where
 * there are any: an import hashes every byte it reads, and a portable C
 * SHA-256 made importing three times slower than `tar -x`.
 */
#ifndef DD_SHA256_H
#define DD_SHA256_H

#include <nettle/sha2.h>
#include <stddef.h>
#include <stdint.h>

#define DD_SHA256_BYTES 32
#define DD_SHA256_HEX (2 * DD_SHA256_BYTES + 1)

struct dd_sha256 {
	struct sha256_ctx ctx;
};

void dd_sha256_init(struct dd_sha256 *c);
void dd_sha256_update(struct dd_sha256 *c, const void *data, size_t len);
/* Pad, finish and write the digest; c must be initialised again to reuse it. */
void dd_sha256_final(struct dd_sha256 *c, uint8_t out[DD_SHA256_BYTES]);
void dd_sha256_hex(struct dd_sha256 *c, char out[DD_SHA256_HEX]);

#endif
