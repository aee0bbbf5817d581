#!/usr/bin/env python3
"""Differential check of backingd's erasure coding against reed-solomon-leopard.

reed-solomon-leopard (PyPI) binds reed-solomon-simd, a Reed-Solomon implementation descended from
catid/leopard: a different code base from novelpoly over the same field (GF(2^16), 0x1002D, Cantor
basis). Its recovery shards equal novelpoly's parity chunks k..n-1 (shared/reference/erasure-coding.md
§4.1). For random validator counts and random AvailableData this script asks `backingd candidate
erasure-root --chunks` for the chunks and compares every one with the chunks built here: the systematic
chunks straight from this script's own SCALE encoding, the parity chunks from leopard.

Prints 'N passed, M failed' and exits non-zero on any mismatch.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

import reed_solomon_leopard


def compact(value):
    """SCALE compact integer encoding."""
    if value < 1 << 6:
        return bytes([value << 2])
    if value < 1 << 14:
        return (value << 2 | 1).to_bytes(2, "little")
    if value < 1 << 30:
        return (value << 2 | 2).to_bytes(4, "little")
    raw = value.to_bytes((value.bit_length() + 7) // 8, "little")
    return bytes([(len(raw) - 4) << 2 | 3]) + raw


def scale_available_data(block_data, parent_head, relay_parent_number, storage_root, max_pov_size):
    """SCALE(AvailableData{PoV{block_data}, PersistedValidationData{...}})."""
    return (compact(len(block_data)) + block_data + compact(len(parent_head)) + parent_head
            + relay_parent_number.to_bytes(4, "little") + storage_root + max_pov_size.to_bytes(4, "little"))


def code_parameters(n):
    """k = recovery threshold rounded down to a power of two (erasure-coding.md §2.2)."""
    threshold = (n - 1) // 3 + 1
    return 1 << (threshold.bit_length() - 1)


def symbols_of_runs(payload, k):
    """Original shard j: symbol j (big-endian byte pair) of every run of 2k bytes, zero-padded."""
    runs = -(-len(payload) // (2 * k))
    padded = payload + bytes(runs * 2 * k - len(payload))
    return [[padded[2 * k * r + 2 * j] << 8 | padded[2 * k * r + 2 * j + 1] for r in range(runs)] for j in range(k)]


def to_leopard(symbols):
    """reed-solomon-simd's shard layout: blocks of 32 symbols, low bytes then high bytes."""
    symbols = symbols + [0] * (-len(symbols) % 32)
    out = bytearray()
    for start in range(0, len(symbols), 32):
        block = symbols[start:start + 32]
        out += bytes(s & 0xFF for s in block) + bytes(s >> 8 for s in block)
    return bytes(out)


def from_leopard(shard, runs):
    symbols = []
    for start in range(0, len(shard), 64):
        symbols += [hi << 8 | lo for lo, hi in zip(shard[start:start + 32], shard[start + 32:start + 64])]
    return b"".join(bytes([s >> 8, s & 0xFF]) for s in symbols[:runs])


def expected_chunks(n, payload):
    k = code_parameters(n)
    originals = symbols_of_runs(payload, k)
    runs = len(originals[0])
    systematic = [b"".join(bytes([s >> 8, s & 0xFF]) for s in shard) for shard in originals]
    recovery = reed_solomon_leopard.encode([to_leopard(shard) for shard in originals], n - k)
    return systematic + [from_leopard(shard, runs) for shard in recovery]


def random_case(rng):
    n = rng.choice([2, 3, 4, 5, 16, 17, 297, 300, 1000, 1023, 1024, 1025, 1100]) if rng.random() < 0.2 \
        else rng.randint(2, 1100)
    size = rng.choice([0, 1, 2, 3, rng.randint(0, 600), rng.randint(0, 20_000), rng.randint(0, 120_000)])
    block_data = rng.randbytes(size)
    parent_head = rng.randbytes(rng.randint(0, 64))
    number = rng.getrandbits(32)
    storage_root = rng.randbytes(32)
    max_pov = rng.getrandbits(32)
    document = {
        "pov": {"blockData": "0x" + block_data.hex()},
        "validationData": {"parentHead": "0x" + parent_head.hex(), "relayParentNumber": number,
                           "relayParentStorageRoot": "0x" + storage_root.hex(), "maxPovSize": max_pov},
    }
    return n, document, scale_available_data(block_data, parent_head, number, storage_root, max_pov)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backingd", required=True, help="path to the backingd binary")
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random, printed)")
    arguments = parser.parse_args()
    seed = arguments.seed if arguments.seed is not None else random.SystemRandom().getrandbits(32)
    print(f"erasure differential: seed {seed}, {arguments.cases} cases, oracle reed-solomon-leopard")
    rng = random.Random(seed)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "available-data.json")
        for case in range(arguments.cases):
            n, document, payload = random_case(rng)
            with open(path, "w") as file:
                json.dump(document, file)
            result = subprocess.run([arguments.backingd, "candidate", "erasure-root", "--validators", str(n),
                                     "--chunks", path], capture_output=True, text=True)
            problem = None
            if result.returncode != 0:
                problem = f"backingd exited {result.returncode}: {result.stderr.strip()}"
            else:
                output = json.loads(result.stdout)
                ours = [bytes.fromhex(chunk[2:]) for chunk in output["chunks"]]
                theirs = expected_chunks(n, payload)
                if output["chunkCount"] != n or len(ours) != n:
                    problem = f"{len(ours)} chunks, expected {n}"
                elif any(len(chunk) != output["chunkLength"] for chunk in ours):
                    problem = "chunks differ from chunkLength"
                else:
                    wrong = [i for i in range(n) if ours[i] != theirs[i]]
                    if wrong:
                        problem = f"{len(wrong)} chunks differ, first {wrong[0]}"
            if problem:
                failed += 1
                print(f"case {case}: n={n} payload {len(payload)} B: FAIL: {problem}")
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
