#pragma once
/// Byte-array wrappers around libdecaf's ristretto255 (`decaf_255`) operations that sr25519 verification
/// needs. libdecaf's point type is a 256-byte, 32-byte-aligned struct; keeping it inside C avoids
/// alignment bugs on the Swift side. Every function returns 0 on success and -1 on a rejected input.
#include <stddef.h>
#include <stdint.h>

/// 0 when `point` is a canonical ristretto255 encoding (the identity included), -1 otherwise.
int cdecaf_point_check(const uint8_t point[32]);

/// 0 when `scalar` is a canonical little-endian scalar (< the group order), -1 otherwise.
int cdecaf_scalar_check(const uint8_t scalar[32]);

/// Computes `encode(s·B − k·A)` in variable time (public data only), where `k` is the 64-byte
/// challenge reduced modulo the group order. Returns -1 when `s` is not canonical or `A` does not decode.
int cdecaf_schnorr_commitment(uint8_t out[32], const uint8_t s[32], const uint8_t public_key[32],
                              const uint8_t challenge_wide[64]);

/// A ristretto255 point decoded once and kept for many verifications (a validator's public key, say):
/// decoding costs an inverse square root, a fifth of a single verification. Opaque, because libdecaf's
/// point struct needs 32-byte alignment that Swift does not guarantee.
typedef struct cdecaf_public_key cdecaf_public_key;

/// Decodes a canonical encoding (identity allowed); NULL when `encoded` is not one or memory runs out.
/// Free the result with `cdecaf_public_key_free`.
cdecaf_public_key *cdecaf_public_key_decode(const uint8_t encoded[32]);

void cdecaf_public_key_free(cdecaf_public_key *key);

/// `cdecaf_schnorr_commitment` with an already decoded public key.
int cdecaf_schnorr_commitment_prepared(uint8_t out[32], const uint8_t s[32], const cdecaf_public_key *public_key,
                                       const uint8_t challenge_wide[64]);

/// Decoded inputs of a Schnorr batch check (schnorrkel's `verify_batch`): per item the commitment R,
/// the weighted scalars z·s and z·k, the weight z and the public key. Items are added once and any
/// subset can then be checked, so that finding the bad items of a failed batch by bisection never
/// decodes or hashes again.
typedef struct cdecaf_batch cdecaf_batch;

/// A batch of up to `capacity` items whose public keys are numbered `0 ..< key_slots`; NULL when
/// memory runs out.
cdecaf_batch *cdecaf_batch_new(size_t capacity, size_t key_slots);

void cdecaf_batch_free(cdecaf_batch *batch);

/// Stores item `index`: commitment `r` (32 bytes), scalar `s` (32 bytes, marker bit already cleared),
/// the 64-byte challenge `k` (reduced modulo ℓ here), the 16-byte random weight `z` and the decoded
/// public key, which lives in `key_slot` (items signed by one key must share one slot and one key).
/// Returns -1 when `r` is not a canonical encoding or `s` is not below ℓ: such an item is invalid on
/// its own and must not be checked.
int cdecaf_batch_set(cdecaf_batch *batch, size_t index, const uint8_t r[32], const uint8_t s[32],
                     const uint8_t challenge_wide[64], const uint8_t weight[16], const cdecaf_public_key *public_key,
                     uint32_t key_slot);

/// Checks the items at `indices` together, in variable time (public data):
/// (−Σ z·s)·B + Σ z·R + Σ_A (Σ z·k)·A == identity. Returns 0 when it holds, -1 when not (or an index
/// is out of range), -2 when memory runs out. An empty subset holds.
int cdecaf_batch_check(const cdecaf_batch *batch, const uint32_t *indices, size_t count);

/// Checks item `index` alone, without weights: R == s·B − k·A as points (R decoded canonically, so
/// this is single verification's byte comparison). 0 when it holds, -1 when not. Cheaper than a batch
/// check of one item, for when bisection meets many bad signatures.
int cdecaf_batch_check_one(const cdecaf_batch *batch, uint32_t index);
