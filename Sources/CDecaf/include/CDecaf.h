#pragma once
/// Byte-array wrappers around libdecaf's ristretto255 (`decaf_255`) operations that sr25519 verification
/// needs. libdecaf's point type is a 256-byte, 32-byte-aligned struct; keeping it inside C avoids
/// alignment bugs on the Swift side. Every function returns 0 on success and -1 on a rejected input.
#include <stdint.h>

/// 0 when `point` is a canonical ristretto255 encoding (the identity included), -1 otherwise.
int cdecaf_point_check(const uint8_t point[32]);

/// 0 when `scalar` is a canonical little-endian scalar (< the group order), -1 otherwise.
int cdecaf_scalar_check(const uint8_t scalar[32]);

/// Computes `encode(s·B − k·A)` in variable time (public data only), where `k` is the 64-byte
/// challenge reduced modulo the group order. Returns -1 when `s` is not canonical or `A` does not decode.
int cdecaf_schnorr_commitment(uint8_t out[32], const uint8_t s[32], const uint8_t public_key[32],
                              const uint8_t challenge_wide[64]);
