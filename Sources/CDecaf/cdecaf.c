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
