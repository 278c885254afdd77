/*
 * sha256.h: SHA-256 (FIPS 180-4), for content-addressed image ids.
 *
 *   struct dd_sha256 c;
 *   dd_sha256_init(&c);
 *   dd_sha256_update(&c, buf, len);     as often as needed
 *   dd_sha256_hex(&c, hex);             64 lowercase hex digits
 */
#ifndef DD_SHA256_H
#define DD_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define DD_SHA256_BYTES 32
#define DD_SHA256_HEX (2 * DD_SHA256_BYTES + 1)

struct dd_sha256 {
	uint32_t h[8];      /* the running hash value */
	uint64_t bytes;     /* message length so far */
	uint8_t block[64];  /* a partial block waiting for more input */
	size_t used;
};

void dd_sha256_init(struct dd_sha256 *c);
void dd_sha256_update(struct dd_sha256 *c, const void *data, size_t len);
/* Pad, finish and write the digest; c must be initialised again to reuse it. */
void dd_sha256_final(struct dd_sha256 *c, uint8_t out[DD_SHA256_BYTES]);
void dd_sha256_hex(struct dd_sha256 *c, char out[DD_SHA256_HEX]);

#endif
