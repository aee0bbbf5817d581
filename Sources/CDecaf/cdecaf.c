#include "CDecaf.h"
#include <decaf/point_255.h>

int cdecaf_point_check(const uint8_t point[32]) {
    decaf_255_point_t p;
    decaf_error_t ok = decaf_255_point_decode(p, point, DECAF_TRUE);
    decaf_255_point_destroy(p);
    return ok == DECAF_SUCCESS ? 0 : -1;
}

int cdecaf_scalar_check(const uint8_t scalar[32]) {
    decaf_255_scalar_t s;
    decaf_error_t ok = decaf_255_scalar_decode(s, scalar);
    decaf_255_scalar_destroy(s);
    return ok == DECAF_SUCCESS ? 0 : -1;
}

int cdecaf_schnorr_commitment(uint8_t out[32], const uint8_t s_bytes[32], const uint8_t public_key[32],
                              const uint8_t challenge_wide[64]) {
    decaf_255_scalar_t s, k, minus_k;
    decaf_255_point_t a, r;
    int result = -1;
    if (decaf_255_scalar_decode(s, s_bytes) != DECAF_SUCCESS) goto done;
    if (decaf_255_point_decode(a, public_key, DECAF_TRUE) != DECAF_SUCCESS) goto done;
    decaf_255_scalar_decode_long(k, challenge_wide, 64);
    decaf_255_scalar_sub(minus_k, decaf_255_scalar_zero, k);
    decaf_255_base_double_scalarmul_non_secret(r, s, a, minus_k);
    decaf_255_point_encode(out, r);
    result = 0;
done:
    decaf_255_scalar_destroy(s);
    decaf_255_scalar_destroy(k);
    decaf_255_scalar_destroy(minus_k);
    decaf_255_point_destroy(a);
    decaf_255_point_destroy(r);
    return result;
}

// MARK: - Decoded public keys

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/// libdecaf names its structs only by tag; element types for arrays of points and scalars.
typedef struct decaf_255_point_s decaf_255_point_s;
typedef struct decaf_255_scalar_s decaf_255_scalar_s;

struct cdecaf_public_key {
    decaf_255_point_t point;
};

/// `aligned_alloc` wants a size that is a multiple of the alignment; libdecaf's structs want 32 bytes.
static void *aligned_array(size_t count, size_t size) {
    if (size != 0 && count > (SIZE_MAX - 31) / size) return NULL;
    size_t bytes = (count * size + 31) & ~(size_t)31;
    return aligned_alloc(32, bytes == 0 ? 32 : bytes);
}

cdecaf_public_key *cdecaf_public_key_decode(const uint8_t encoded[32]) {
    cdecaf_public_key *key = aligned_array(1, sizeof(cdecaf_public_key));
    if (key == NULL) return NULL;
    if (decaf_255_point_decode(key->point, encoded, DECAF_TRUE) != DECAF_SUCCESS) {
        free(key);
        return NULL;
    }
    return key;
}

void cdecaf_public_key_free(cdecaf_public_key *key) { free(key); }

int cdecaf_schnorr_commitment_prepared(uint8_t out[32], const uint8_t s_bytes[32], const cdecaf_public_key *public_key,
                                       const uint8_t challenge_wide[64]) {
    decaf_255_scalar_t s, k, minus_k;
    decaf_255_point_t r;
    if (decaf_255_scalar_decode(s, s_bytes) != DECAF_SUCCESS) return -1;
    decaf_255_scalar_decode_long(k, challenge_wide, 64);
    decaf_255_scalar_sub(minus_k, decaf_255_scalar_zero, k);
    decaf_255_base_double_scalarmul_non_secret(r, s, public_key->point, minus_k);
    decaf_255_point_encode(out, r);
    return 0;
}

// MARK: - Multi-scalar multiplication (Straus, width-w NAF), group operations only

/// Writes the width-`w` non-adjacent form of the little-endian integer `bytes` (below 2^255) to
/// `digits[pos * stride]`, pos = 0 ..< 256 (the caller zeroes them): every digit is 0 or odd in
/// (−2^(w−1), 2^(w−1)), and any w consecutive digits hold at most one nonzero one. Odd digits only
/// means a table of 2^(w−2) odd multiples serves every digit, and sparsity means one addition per w+1
/// bits on average (dalek's `non_adjacent_form`).
static void wnaf_digits(int8_t *digits, size_t stride, const uint8_t bytes[32], unsigned w) {
    uint64_t x[5] = {0, 0, 0, 0, 0};
    for (unsigned i = 0; i < 32; i++) x[i / 8] |= (uint64_t)bytes[i] << (8 * (i % 8));
    const uint64_t width = (uint64_t)1 << w, mask = width - 1;
    uint64_t carry = 0;
    unsigned pos = 0;
    while (pos < 256) {
        unsigned limb = pos / 64, bit = pos % 64;
        uint64_t window_bits = x[limb] >> bit;
        if (bit + w > 64) window_bits |= x[limb + 1] << (64 - bit);
        uint64_t window = carry + (window_bits & mask);
        if ((window & 1) == 0) {
            pos += 1;
            continue;
        }
        if (window < width / 2) {
            carry = 0;
            digits[pos * stride] = (int8_t)window;
        } else {
            carry = 1;
            digits[pos * stride] = (int8_t)((int)window - (int)width);
        }
        pos += w;
    }
}

/// table[j] = (2j+1)·p for j < count.
static void odd_multiples(decaf_255_point_s *table, const decaf_255_point_t p, size_t count) {
    decaf_255_point_t twice;
    decaf_255_point_double(twice, p);
    decaf_255_point_copy(&table[0], p);
    for (size_t j = 1; j < count; j++) decaf_255_point_add(&table[j], &table[j - 1], twice);
}

/// The base point's odd multiples for width-8 NAF, built once: its scalar is a full 253 bits in
/// every batch, so a wide window (28 additions instead of 42 at width 5) is free after the first use.
#define BASE_WINDOW 8
static decaf_255_point_s base_table[1 << (BASE_WINDOW - 2)];
static pthread_once_t base_table_once = PTHREAD_ONCE_INIT;
static void build_base_table(void) { odd_multiples(base_table, decaf_255_point_base, 1 << (BASE_WINDOW - 2)); }

/// Window of every other point: 8 odd multiples. Measured against widths 4 and 6 (see the benchmarks).
#define POINT_WINDOW 5
#define POINT_TABLE (1 << (POINT_WINDOW - 2))

/// out = Σ scalar_t·P_t by Straus's method: one shared chain of doublings, one table lookup and
/// addition per nonzero digit. `digits` holds the NAF digits transposed (digits[bit * terms + t]) so
/// that one pass down the bits reads them in order; `tables[t]` holds the odd multiples of P_t.
static void straus_sum(decaf_255_point_t out, const decaf_255_point_s *const *tables, const int8_t *digits,
                       size_t terms) {
    int top = 255;
    for (; top >= 0; top--) {
        const int8_t *row = digits + (size_t)top * terms;
        size_t t = 0;
        while (t < terms && row[t] == 0) t++;
        if (t < terms) break;
    }
    decaf_255_point_copy(out, decaf_255_point_identity);
    for (int bit = top; bit >= 0; bit--) {
        decaf_255_point_double(out, out);
        const int8_t *row = digits + (size_t)bit * terms;
        for (size_t t = 0; t < terms; t++) {
            int d = row[t];
            if (d > 0) {
                decaf_255_point_add(out, out, &tables[t][d >> 1]);
            } else if (d < 0) {
                decaf_255_point_sub(out, out, &tables[t][(-d) >> 1]);
            }
        }
    }
}

/// out = Σ scalar_i·P_i by Pippenger's bucket method, for many points with scalars below 2^bits:
/// per c-bit window, each point is added once into the bucket of its signed digit, and the buckets
/// are summed with their weights by running sums (2^c additions per window whatever the count). No
/// per-point table, so it beats Straus once the points far outnumber the buckets. Returns -2 when
/// memory runs out.
static int pippenger_sum(decaf_255_point_t out, const decaf_255_point_s *const *points, const uint8_t (*scalars)[32],
                         size_t count, unsigned bits, unsigned c) {
    // Enough windows that the last one absorbs the final carry: c·windows > bits.
    const size_t windows = bits / c + 1, bucket_count = (size_t)1 << (c - 1);
    const int64_t radix = (int64_t)1 << c;
    int16_t *digits = malloc(count * windows * sizeof(int16_t));
    decaf_255_point_s *buckets = aligned_array(bucket_count, sizeof(decaf_255_point_s));
    uint8_t *filled = malloc(bucket_count);
    if (digits == NULL || buckets == NULL || filled == NULL) {
        free(digits);
        free(buckets);
        free(filled);
        return -2;
    }
    // Signed digits in (−2^(c−1), 2^(c−1)]: the buckets only need the positive multiples 1 … 2^(c−1).
    for (size_t i = 0; i < count; i++) {
        uint64_t x[6] = {0, 0, 0, 0, 0, 0};
        for (unsigned b = 0; b < 32; b++) x[b / 8] |= (uint64_t)scalars[i][b] << (8 * (b % 8));
        int64_t carry = 0;
        for (size_t w = 0; w < windows; w++) {
            size_t pos = w * c, limb = pos / 64, bit = pos % 64;
            uint64_t window_bits = x[limb] >> bit;
            if (bit + c > 64) window_bits |= x[limb + 1] << (64 - bit);
            int64_t value = (int64_t)(window_bits & (uint64_t)(radix - 1)) + carry;
            carry = value > radix / 2;
            digits[i * windows + w] = (int16_t)(carry ? value - radix : value);
        }
    }
    decaf_255_point_t running, total;
    decaf_255_point_copy(out, decaf_255_point_identity);
    for (size_t w = windows; w-- > 0;) {
        if (w + 1 != windows) {
            for (unsigned d = 0; d < c; d++) decaf_255_point_double(out, out);
        }
        memset(filled, 0, bucket_count);
        for (size_t i = 0; i < count; i++) {
            int d = digits[i * windows + w];
            if (d > 0) {
                size_t j = (size_t)d - 1;
                if (filled[j]) {
                    decaf_255_point_add(&buckets[j], &buckets[j], points[i]);
                } else {
                    decaf_255_point_copy(&buckets[j], points[i]);
                }
                filled[j] = 1;
            } else if (d < 0) {
                size_t j = (size_t)(-d) - 1;
                if (filled[j]) {
                    decaf_255_point_sub(&buckets[j], &buckets[j], points[i]);
                } else {
                    decaf_255_point_negate(&buckets[j], points[i]);
                }
                filled[j] = 1;
            }
        }
        // Σ (j+1)·bucket[j] = Σ_j (bucket[j] + bucket[j+1] + …): a running sum from the top bucket,
        // added to the total at every step.
        int running_started = 0, total_started = 0;
        for (size_t j = bucket_count; j-- > 0;) {
            if (filled[j]) {
                if (running_started) {
                    decaf_255_point_add(running, running, &buckets[j]);
                } else {
                    decaf_255_point_copy(running, &buckets[j]);
                    running_started = 1;
                }
            }
            if (!running_started) continue;
            if (total_started) {
                decaf_255_point_add(total, total, running);
            } else {
                decaf_255_point_copy(total, running);
                total_started = 1;
            }
        }
        if (total_started) decaf_255_point_add(out, out, total);
    }
    decaf_255_point_destroy(running);
    decaf_255_point_destroy(total);
    free(digits);
    free(buckets);
    free(filled);
    return 0;
}

/// From how many points of one kind (commitments, or distinct keys) Pippenger replaces Straus, and
/// its window width by count. Measured with the commitments' 128-bit weights on libdecaf 1.0.2:
/// Straus wins below about 150 points, c = 6 around 250–500, c = 7 at 1000.
static const size_t pippenger_min_count = 192;
static unsigned pippenger_window(size_t count) {
    if (count < 512) return 6;
    if (count < 2048) return 7;
    return 8;
}

// MARK: - Batch

struct cdecaf_batch {
    size_t capacity, key_slots;
    decaf_255_point_s *commitments;    // R_i
    decaf_255_scalar_s *weighted_s;    // z_i·s_i
    decaf_255_scalar_s *weighted_k;    // z_i·k_i
    decaf_255_scalar_s *plain_s;       // s_i and −k_i, for checking one item alone
    decaf_255_scalar_s *minus_k;
    uint8_t (*weights)[32];            // z_i, zero-padded to a scalar's 32 bytes for the NAF
    const cdecaf_public_key **keys;    // A_i
    uint32_t *slots;                   // which key slot A_i is
};

void cdecaf_batch_free(cdecaf_batch *batch) {
    if (batch == NULL) return;
    free(batch->commitments);
    free(batch->weighted_s);
    free(batch->weighted_k);
    free(batch->plain_s);
    free(batch->minus_k);
    free(batch->weights);
    free(batch->keys);
    free(batch->slots);
    free(batch);
}

cdecaf_batch *cdecaf_batch_new(size_t capacity, size_t key_slots) {
    cdecaf_batch *batch = calloc(1, sizeof(cdecaf_batch));
    if (batch == NULL) return NULL;
    batch->capacity = capacity;
    batch->key_slots = key_slots;
    batch->commitments = aligned_array(capacity, sizeof(decaf_255_point_s));
    batch->weighted_s = aligned_array(capacity, sizeof(decaf_255_scalar_s));
    batch->weighted_k = aligned_array(capacity, sizeof(decaf_255_scalar_s));
    batch->plain_s = aligned_array(capacity, sizeof(decaf_255_scalar_s));
    batch->minus_k = aligned_array(capacity, sizeof(decaf_255_scalar_s));
    batch->weights = calloc(capacity == 0 ? 1 : capacity, 32);
    batch->keys = calloc(capacity == 0 ? 1 : capacity, sizeof(cdecaf_public_key *));
    batch->slots = calloc(capacity == 0 ? 1 : capacity, sizeof(uint32_t));
    if (!batch->commitments || !batch->weighted_s || !batch->weighted_k || !batch->plain_s || !batch->minus_k ||
        !batch->weights || !batch->keys || !batch->slots) {
        cdecaf_batch_free(batch);
        return NULL;
    }
    return batch;
}

int cdecaf_batch_set(cdecaf_batch *batch, size_t index, const uint8_t r[32], const uint8_t s_bytes[32],
                     const uint8_t challenge_wide[64], const uint8_t weight[16], const cdecaf_public_key *public_key,
                     uint32_t key_slot) {
    if (index >= batch->capacity || key_slot >= batch->key_slots) return -1;
    decaf_255_scalar_t s, k, z;
    int result = -1;
    // Canonical R only, as single verification compares R's bytes with a canonical encoding.
    if (decaf_255_point_decode(&batch->commitments[index], r, DECAF_TRUE) != DECAF_SUCCESS) goto done;
    if (decaf_255_scalar_decode(s, s_bytes) != DECAF_SUCCESS) goto done;
    decaf_255_scalar_decode_long(k, challenge_wide, 64);
    decaf_255_scalar_decode_long(z, weight, 16);
    decaf_255_scalar_mul(&batch->weighted_s[index], z, s);
    decaf_255_scalar_mul(&batch->weighted_k[index], z, k);
    decaf_255_scalar_copy(&batch->plain_s[index], s);
    decaf_255_scalar_sub(&batch->minus_k[index], decaf_255_scalar_zero, k);
    memset(batch->weights[index], 0, 32);
    memcpy(batch->weights[index], weight, 16);
    batch->keys[index] = public_key;
    batch->slots[index] = key_slot;
    result = 0;
done:
    decaf_255_scalar_destroy(s);
    decaf_255_scalar_destroy(k);
    decaf_255_scalar_destroy(z);
    return result;
}

/// Pippenger over `count` points with scalars below 2^`bits`, added into `sum`; -2 when memory runs out.
static int add_pippenger(decaf_255_point_t sum, const decaf_255_point_s *const *points,
                         const uint8_t (*scalars)[32], size_t count, unsigned bits) {
    decaf_255_point_t part;
    int status = pippenger_sum(part, points, scalars, count, bits, pippenger_window(count));
    if (status == 0) decaf_255_point_add(sum, sum, part);
    decaf_255_point_destroy(part);
    return status;
}

int cdecaf_batch_check(const cdecaf_batch *batch, const uint32_t *indices, size_t count) {
    if (count == 0) return 0;
    pthread_once(&base_table_once, build_base_table);
    int result = -2;
    for (size_t i = 0; i < count; i++) {
        if (indices[i] >= batch->capacity) return -1;
    }
    // Per key slot: Σ z·k over the subset's items signed by it, and whether the subset uses it.
    decaf_255_scalar_s *key_scalars = aligned_array(batch->key_slots, sizeof(decaf_255_scalar_s));
    uint8_t *key_used = calloc(batch->key_slots == 0 ? 1 : batch->key_slots, 1);
    // The first item of each distinct key, in order of appearance.
    uint32_t *key_items = calloc(count, sizeof(uint32_t));
    // Terms of either method: B, the distinct keys, the commitments. At most 1 + 2·count.
    size_t max_terms = 1 + 2 * count;
    const decaf_255_point_s **points = calloc(max_terms, sizeof(decaf_255_point_s *));
    uint8_t (*scalars)[32] = calloc(max_terms, 32);
    const decaf_255_point_s **tables = calloc(max_terms, sizeof(decaf_255_point_s *));
    decaf_255_point_s *point_tables = NULL;
    int8_t *digits = NULL;
    decaf_255_scalar_t base_scalar, minus_base;
    decaf_255_point_t sum, straus;
    decaf_255_scalar_copy(base_scalar, decaf_255_scalar_zero);
    decaf_255_point_copy(sum, decaf_255_point_identity);
    if (!key_scalars || !key_used || !key_items || !points || !scalars || !tables) goto done;

    size_t distinct_keys = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t index = indices[i], slot = batch->slots[index];
        decaf_255_scalar_add(base_scalar, base_scalar, &batch->weighted_s[index]);
        if (key_used[slot]) {
            decaf_255_scalar_add(&key_scalars[slot], &key_scalars[slot], &batch->weighted_k[index]);
        } else {
            key_used[slot] = 1;
            key_items[distinct_keys++] = index;
            decaf_255_scalar_copy(&key_scalars[slot], &batch->weighted_k[index]);
        }
    }
    // Many terms of one kind go to Pippenger; the rest (always B with its fixed table) to Straus.
    const int keys_by_pippenger = distinct_keys >= pippenger_min_count;
    const int commitments_by_pippenger = count >= pippenger_min_count;
    point_tables = aligned_array((keys_by_pippenger ? 0 : distinct_keys) + (commitments_by_pippenger ? 0 : count),
                                 POINT_TABLE * sizeof(decaf_255_point_s));
    if (point_tables == NULL) goto done;

    // Σ z·k per key.
    for (size_t j = 0; j < distinct_keys; j++) {
        uint32_t index = key_items[j];
        points[j] = batch->keys[index]->point;
        decaf_255_scalar_encode(scalars[j], &key_scalars[batch->slots[index]]);
    }
    // z·R: the 128-bit weights themselves.
    for (size_t i = 0; i < count; i++) {
        points[distinct_keys + i] = &batch->commitments[indices[i]];
        memcpy(scalars[distinct_keys + i], batch->weights[indices[i]], 32);
    }
    if (keys_by_pippenger && add_pippenger(sum, points, (const uint8_t (*)[32])scalars, distinct_keys, 253) != 0)
        goto done;
    if (commitments_by_pippenger &&
        add_pippenger(sum, points + distinct_keys, (const uint8_t (*)[32])(scalars + distinct_keys), count, 128) != 0)
        goto done;

    // Straus: B (−Σ z·s), then whatever Pippenger did not take.
    size_t terms = 0, tables_used = 0;
    uint8_t base_bytes[32];
    decaf_255_scalar_sub(minus_base, decaf_255_scalar_zero, base_scalar);
    decaf_255_scalar_encode(base_bytes, minus_base);
    // Straus's points are [first, last) of `points`: the keys unless Pippenger took them, then the
    // commitments unless Pippenger took them.
    const size_t first = keys_by_pippenger ? distinct_keys : 0;
    const size_t last = commitments_by_pippenger ? distinct_keys : distinct_keys + count;
    const size_t straus_terms = 1 + (last - first);
    digits = calloc(256, straus_terms);
    if (digits == NULL) goto done;
    tables[terms] = base_table;
    wnaf_digits(&digits[terms++], straus_terms, base_bytes, BASE_WINDOW);
    for (size_t t = first; t < last; t++) {
        odd_multiples(&point_tables[tables_used * POINT_TABLE], points[t], POINT_TABLE);
        tables[terms] = &point_tables[tables_used++ * POINT_TABLE];
        wnaf_digits(&digits[terms++], straus_terms, scalars[t], POINT_WINDOW);
    }
    straus_sum(straus, tables, digits, straus_terms);
    decaf_255_point_add(sum, sum, straus);
    result = decaf_255_point_eq(sum, decaf_255_point_identity) ? 0 : -1;
done:
    decaf_255_scalar_destroy(base_scalar);
    decaf_255_scalar_destroy(minus_base);
    decaf_255_point_destroy(sum);
    decaf_255_point_destroy(straus);
    free(digits);
    free(point_tables);
    free(tables);
    free(scalars);
    free(points);
    free(key_items);
    free(key_used);
    free(key_scalars);
    return result;
}

int cdecaf_batch_check_one(const cdecaf_batch *batch, uint32_t index) {
    if (index >= batch->capacity) return -1;
    decaf_255_point_t commitment;
    decaf_255_base_double_scalarmul_non_secret(commitment, &batch->plain_s[index], batch->keys[index]->point,
                                               &batch->minus_k[index]);
    int result = decaf_255_point_eq(commitment, &batch->commitments[index]) ? 0 : -1;
    decaf_255_point_destroy(commitment);
    return result;
}
