/*
 * nkey.c - NKeys, the text form NATS gives Ed25519 keys: base32 (RFC 4648,
 * no padding) of a prefix, the 32 key bytes and a CRC16 (XMODEM: poly
 * 0x1021, initial 0, sent little-endian) over prefix and key. A user's
 * public key has the one prefix byte 20 << 3 ("U..."); a seed has two,
 * 18 << 3 ("S") with the key type's prefix spread over both ("SU...").
 * The key pairs are libsodium's (crypto_sign_seed_keypair): the seed is
 * the 32 bytes libsodium expands into its secret key.
 */
#include <string.h>

#include <sodium.h>

#include "weerbaar/nats.h"

#define PREFIX_SEED (18u << 3)
#define PREFIX_USER (20u << 3)

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static uint16_t crc16(const unsigned char *p, size_t n)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (int k = 0; k < 8; k++)
            crc = (uint16_t)((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    return crc;
}

/* Encodes n bytes into out (room for (n * 8 + 4) / 5 + 1). */
static void b32_encode(const unsigned char *p, size_t n, char *out)
{
    unsigned buf = 0, bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        buf = (buf << 8) | p[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = b32[(buf >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out[o++] = b32[(buf << (5 - bits)) & 31];
    out[o] = '\0';
}

/* Decodes exactly `want` bytes from s; -1 for a character outside the
 * alphabet, a length that does not give want bytes, or set pad bits. */
static int b32_decode(const char *s, unsigned char *out, size_t want)
{
    size_t len = strlen(s);
    if (len != (want * 8 + 4) / 5) return -1;
    unsigned buf = 0, bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        const char *c = s[i] ? strchr(b32, s[i]) : NULL;
        if (c == NULL) return -1;
        buf = (buf << 5) | (unsigned)(c - b32);
        bits += 5;
        if (bits >= 8) {
            out[o++] = (unsigned char)(buf >> (bits - 8));
            bits -= 8;
        }
        buf &= (1u << bits) - 1;
    }
    return o == want && buf == 0 ? 0 : -1;
}

static void encode_pub(const unsigned char pk[32], char pub[WB_NKEY_PUB_LEN + 1])
{
    unsigned char raw[35];
    raw[0] = PREFIX_USER;
    memcpy(raw + 1, pk, 32);
    uint16_t c = crc16(raw, 33);
    raw[33] = (unsigned char)(c & 0xff);
    raw[34] = (unsigned char)(c >> 8);
    b32_encode(raw, sizeof raw, pub);
}

int wb_nkey_user_new(char pub[WB_NKEY_PUB_LEN + 1], char seed[WB_NKEY_SEED_LEN + 1])
{
    if (sodium_init() < 0) return WB_EINTERNAL;
    unsigned char raw[36], pk[32], sk[64];
    raw[0] = (unsigned char)(PREFIX_SEED | (PREFIX_USER >> 5));
    raw[1] = (unsigned char)((PREFIX_USER & 31) << 3);
    randombytes_buf(raw + 2, 32);
    uint16_t c = crc16(raw, 34);
    raw[34] = (unsigned char)(c & 0xff);
    raw[35] = (unsigned char)(c >> 8);
    crypto_sign_seed_keypair(pk, sk, raw + 2);
    b32_encode(raw, sizeof raw, seed);
    encode_pub(pk, pub);
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(sk, sizeof sk);
    return 0;
}

/* The 32 seed bytes of an encoded user seed. */
static int seed_bytes(const char *seed, unsigned char out[32])
{
    unsigned char raw[36];
    if (seed == NULL || b32_decode(seed, raw, sizeof raw) != 0) return WB_EPARSE;
    uint16_t c = crc16(raw, 34);
    int rc = 0;
    if (raw[0] != (unsigned char)(PREFIX_SEED | (PREFIX_USER >> 5)) ||
        raw[1] != (unsigned char)((PREFIX_USER & 31) << 3) || raw[34] != (c & 0xff) ||
        raw[35] != (c >> 8))
        rc = WB_EPARSE;
    else
        memcpy(out, raw + 2, 32);
    sodium_memzero(raw, sizeof raw);
    return rc;
}

int wb_nkey_user_public(const char *seed, char pub[WB_NKEY_PUB_LEN + 1])
{
    unsigned char s[32], pk[32], sk[64];
    if (sodium_init() < 0) return WB_EINTERNAL;
    int rc = seed_bytes(seed, s);
    if (rc) return rc;
    crypto_sign_seed_keypair(pk, sk, s);
    encode_pub(pk, pub);
    sodium_memzero(s, sizeof s);
    sodium_memzero(sk, sizeof sk);
    return 0;
}

int wb_nkey_sign(const char *seed, const void *msg, size_t len, unsigned char sig[64])
{
    unsigned char s[32], pk[32], sk[64];
    if (sodium_init() < 0) return WB_EINTERNAL;
    int rc = seed_bytes(seed, s);
    if (rc) return rc;
    crypto_sign_seed_keypair(pk, sk, s);
    crypto_sign_detached(sig, NULL, msg, len, sk);
    sodium_memzero(s, sizeof s);
    sodium_memzero(sk, sizeof sk);
    return 0;
}

bool wb_nkey_user_valid(const char *s)
{
    unsigned char raw[35];
    if (s == NULL || b32_decode(s, raw, sizeof raw) != 0 || raw[0] != PREFIX_USER) return false;
    uint16_t c = crc16(raw, 33);
    return raw[33] == (c & 0xff) && raw[34] == (c >> 8);
}
