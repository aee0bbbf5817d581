"""Times Rust schnorrkel (through py-sr25519-bindings) signing and verifying a 73-byte message.

Run by backingd-bench as the baseline for our sr25519 figures; prints one JSON object:
{"sign_us": ..., "verify_us": ..., "version": ...}. The Python call overhead (well under 1 us) is
included, so the baseline is slightly pessimistic for schnorrkel.
"""

import json
import sys
import time
from importlib import metadata

import sr25519


def per_call_us(function, iterations):
    function()  # warm up
    best = float("inf")
    for _ in range(7):  # the minimum is the run least disturbed by other load
        start = time.perf_counter()
        for _ in range(iterations):
            function()
        best = min(best, (time.perf_counter() - start) / iterations * 1e6)
    return best


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    public, secret = sr25519.pair_from_seed(bytes(range(32)))
    message = bytes(range(73))
    signature = sr25519.sign((public, secret), message)
    assert sr25519.verify(signature, message, public)
    result = {
        "sign_us": per_call_us(lambda: sr25519.sign((public, secret), message), iterations),
        "verify_us": per_call_us(lambda: sr25519.verify(signature, message, public), iterations),
        "version": metadata.version("py-sr25519-bindings"),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
