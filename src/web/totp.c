/*
 * totp.c - one-time codes for the second factor: HOTP (RFC 4226) and TOTP
 * (RFC 6238), and the base32 (RFC 4648) that authenticator apps read
 * secrets in.
 *
 * HMAC comes from Nettle (already under libmicrohttpd's TLS): libsodium
 * has no SHA-1, and SHA-1 is what every authenticator app computes. The
 * RFC's test vectors (tests/web/test_websession.c) hold all three hashes.
 */
#include <string.h>

#include <nettle/hmac.h>
#include <sodium.h>

#include "weerbaar/websession.h"

/* 30-second steps from the epoch (RFC 6238's X and T0). */
#define TOTP_STEP 30
#define TOTP_DIGITS 6

uint32_t wb_hotp(wb_totp_alg alg, const uint8_t *key, size_t keylen, uint64_t counter,
                 unsigned digits)
{
    uint8_t msg[8], mac[SHA512_DIGEST_SIZE];
    for (int i = 7; i >= 0; i--) {
        msg[i] = (uint8_t)(counter & 0xff);
        counter >>= 8;
    }
    size_t maclen = 0;
    switch (alg) {
    case WB_TOTP_SHA1: {
        struct hmac_sha1_ctx c;
        hmac_sha1_set_key(&c, keylen, key);
        hmac_sha1_update(&c, sizeof msg, msg);
        hmac_sha1_digest(&c, SHA1_DIGEST_SIZE, mac);
        maclen = SHA1_DIGEST_SIZE;
        break;
    }
    case WB_TOTP_SHA256: {
        struct hmac_sha256_ctx c;
        hmac_sha256_set_key(&c, keylen, key);
        hmac_sha256_update(&c, sizeof msg, msg);
        hmac_sha256_digest(&c, SHA256_DIGEST_SIZE, mac);
        maclen = SHA256_DIGEST_SIZE;
        break;
    }
    case WB_TOTP_SHA512: {
        struct hmac_sha512_ctx c;
        hmac_sha512_set_key(&c, keylen, key);
        hmac_sha512_update(&c, sizeof msg, msg);
        hmac_sha512_digest(&c, SHA512_DIGEST_SIZE, mac);
        maclen = SHA512_DIGEST_SIZE;
        break;
    }
    }
    /* RFC 4226 5.3: dynamic truncation. */
    unsigned off = mac[maclen - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    uint32_t mod = 1;
    for (unsigned i = 0; i < digits && i < 9; i++)
        mod *= 10;
    sodium_memzero(mac, sizeof mac);
    return bin % mod;
}

bool wb_totp_check(const uint8_t secret[WB_TOTP_SECRET_LEN], const char *code, int64_t unix_secs,
                   int64_t *step)
{
    if (code == NULL || strlen(code) != TOTP_DIGITS || unix_secs < 0) return false;
    uint32_t want = 0;
    for (size_t i = 0; i < TOTP_DIGITS; i++) {
        if (code[i] < '0' || code[i] > '9') return false;
        want = want * 10 + (uint32_t)(code[i] - '0');
    }
    int64_t now = unix_secs / TOTP_STEP;
    bool ok = false;
    /* One step either side: clocks drift and people type slowly. Every
     * window is computed, so the time taken does not say which matched. */
    for (int64_t d = -1; d <= 1; d++) {
        if (now + d < 0) continue;
        uint32_t got =
            wb_hotp(WB_TOTP_SHA1, secret, WB_TOTP_SECRET_LEN, (uint64_t)(now + d), TOTP_DIGITS);
        if (got == want && !ok) {
            ok = true;
            *step = now + d;
        }
    }
    return ok;
}

void wb_base32(const uint8_t *in, size_t n, char *out)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = alpha[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out[o++] = alpha[(acc << (5 - bits)) & 31];
    out[o] = '\0';
}
