/*
 * The adder test parachain's validation function (PVF), after Polkadot's
 * `parachain/test-parachains/adder`, re-implemented in freestanding C for wasm32.
 *
 * State: a u64. HeadData {number: u64, parent_hash: [u8; 32], post_state: [u8; 32]} (72 bytes, SCALE).
 * BlockData {state: u64, add: u64} (16 bytes, SCALE). Executing a block checks that
 * keccak-256(state as u64 LE) equals the parent head's post_state, then produces the head
 * {number + 1, keccak-256(parent head bytes), keccak-256((state + add) wrapping, u64 LE)}.
 *
 * ABI: `validate_block(params_ptr, len) -> u64`. The host writes the SCALE-encoded
 * ValidationParams {parent_head: Vec<u8>, block_data: Vec<u8>, relay_parent_number: u32,
 * relay_parent_storage_root: [u8; 32]} into linear memory; the function returns the SCALE-encoded
 * ValidationResult's address in the low 32 bits and its length in the high 32 bits.
 * Any malformed input traps (`unreachable`), as the Rust original panics.
 *
 * No libc: the module imports nothing and uses only its own static memory.
 */

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

#define HEAD_SIZE 72u
#define BLOCK_SIZE 16u
/* compact(72) (2 bytes) + head + None + [] + [] + u32 + u32 */
#define RESULT_SIZE (2u + HEAD_SIZE + 1u + 1u + 1u + 4u + 4u)

static u8 result_buffer[RESULT_SIZE];

static __attribute__((noreturn)) void fail(void) { __builtin_trap(); }

/* ---- Keccak-256 (the original Keccak padding 0x01, as tiny_keccak's Keccak::v256) ---- */

static const u64 round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* Rotation offsets and the pi permutation, indexed by lane x + 5y. */
static const u8 rotations[25] = {0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14};

static u64 rotl(u64 v, u32 n) { return n == 0 ? v : (v << n) | (v >> (64 - n)); }

static void keccak_f(u64 a[25]) {
    for (u32 round = 0; round < 24; round++) {
        u64 c[5], b[25];
        for (u32 x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (u32 x = 0; x < 5; x++) {
            u64 d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
            for (u32 y = 0; y < 25; y += 5) a[y + x] ^= d;
        }
        /* rho and pi: lane (x, y) moves to (y, 2x + 3y). */
        for (u32 x = 0; x < 5; x++)
            for (u32 y = 0; y < 5; y++) b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], rotations[x + 5 * y]);
        /* chi */
        for (u32 y = 0; y < 25; y += 5)
            for (u32 x = 0; x < 5; x++) a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
        a[0] ^= round_constants[round];
    }
}

static void keccak256(const u8 *data, u32 len, u8 out[32]) {
    enum { RATE = 136 };
    u64 state[25];
    u8 block[RATE];
    for (u32 i = 0; i < 25; i++) state[i] = 0;
    for (;;) {
        u32 take = len < RATE ? len : RATE;
        int last = len < RATE;
        for (u32 i = 0; i < RATE; i++) block[i] = i < take ? data[i] : 0;
        if (last) {
            block[take] ^= 0x01;
            block[RATE - 1] ^= 0x80;
        }
        for (u32 i = 0; i < RATE / 8; i++) {
            u64 lane = 0;
            for (u32 j = 0; j < 8; j++) lane |= (u64)block[8 * i + j] << (8 * j);
            state[i] ^= lane;
        }
        keccak_f(state);
        if (last) break;
        data += RATE;
        len -= RATE;
    }
    for (u32 i = 0; i < 32; i++) out[i] = (u8)(state[i / 8] >> (8 * (i % 8)));
}

/* ---- SCALE helpers ---- */

static u64 read_u64(const u8 *p) {
    u64 v = 0;
    for (u32 i = 0; i < 8; i++) v |= (u64)p[i] << (8 * i);
    return v;
}

static void write_u64(u8 *p, u64 v) {
    for (u32 i = 0; i < 8; i++) p[i] = (u8)(v >> (8 * i));
}

static void write_u32(u8 *p, u32 v) {
    for (u32 i = 0; i < 4; i++) p[i] = (u8)(v >> (8 * i));
}

/* Reads a SCALE compact length (modes 0-2; a 4 GiB+ big-integer length cannot fit wasm32 memory). */
static u32 read_compact(const u8 **cursor, const u8 *end) {
    const u8 *p = *cursor;
    if (p >= end) fail();
    u32 mode = p[0] & 3u, value;
    if (mode == 0) {
        value = p[0] >> 2;
        p += 1;
    } else if (mode == 1) {
        if (end - p < 2) fail();
        value = ((u32)p[0] | (u32)p[1] << 8) >> 2;
        p += 2;
    } else if (mode == 2) {
        if (end - p < 4) fail();
        value = ((u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24) >> 2;
        p += 4;
    } else {
        fail();
    }
    *cursor = p;
    return value;
}

static const u8 *read_bytes(const u8 **cursor, const u8 *end, u32 *len) {
    *len = read_compact(cursor, end);
    const u8 *start = *cursor;
    if ((u32)(end - start) < *len) fail();
    *cursor = start + *len;
    return start;
}

static void hash_state(u64 state, u8 out[32]) {
    u8 encoded[8];
    write_u64(encoded, state);
    keccak256(encoded, 8, out);
}

/* ---- The validation function ---- */

__attribute__((export_name("validate_block"))) u64 validate_block(const u8 *params, u32 len) {
    const u8 *cursor = params, *end = params + len;
    u32 head_len, block_len;
    const u8 *head = read_bytes(&cursor, end, &head_len);
    const u8 *block = read_bytes(&cursor, end, &block_len);
    if (end - cursor < 4 + 32) fail();
    u32 relay_parent_number = (u32)cursor[0] | (u32)cursor[1] << 8 | (u32)cursor[2] << 16 | (u32)cursor[3] << 24;
    /* SCALE decoding of the structs reads their fields and ignores what follows, as the original does. */
    if (head_len < HEAD_SIZE || block_len < BLOCK_SIZE) fail();

    u64 number = read_u64(head);
    const u8 *post_state = head + 40;
    u64 state = read_u64(block), add = read_u64(block + 8);

    u8 expected[32];
    hash_state(state, expected);
    for (u32 i = 0; i < 32; i++)
        if (expected[i] != post_state[i]) fail(); /* the block does not start from the parent's state */

    u8 *out = result_buffer;
    out[0] = (u8)((HEAD_SIZE << 2) | 1u); /* compact(72), two-byte mode */
    out[1] = (u8)((HEAD_SIZE << 2) >> 8);
    u8 *new_head = out + 2;
    write_u64(new_head, number + 1);
    keccak256(head, head_len, new_head + 8);
    hash_state(state + add, new_head + 40);
    u8 *tail = new_head + HEAD_SIZE;
    tail[0] = 0; /* new_validation_code: None */
    tail[1] = 0; /* upward_messages: [] */
    tail[2] = 0; /* horizontal_messages: [] */
    write_u32(tail + 3, 0);                   /* processed_downward_messages */
    write_u32(tail + 7, relay_parent_number); /* hrmp_watermark */
    return (u64)(u32)out | ((u64)RESULT_SIZE << 32);
}
