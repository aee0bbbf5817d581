import Synchronization

/// A bounded least-recently-used cache, safe to share between threads.
///
/// Holds compiled PVF modules by code hash, so a para's code is parsed and validated once, not per candidate.
final class LRUCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var values: [Key: Value] = [:]
        /// Keys from least to most recently used; short (the capacity is small), so linear updates are cheap.
        var order: [Key] = []
        var hits = 0
        var misses = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The value for `key`, marking it recently used.
    func value(for key: Key) -> Value? {
        state.withLock { state in
            guard let value = state.values[key] else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            if let index = state.order.firstIndex(of: key) { state.order.remove(at: index) }
            state.order.append(key)
            return value
        }
    }

    /// Stores `value` for `key`, evicting the least recently used entry when full.
    func insert(_ value: Value, for key: Key) {
        state.withLock { state in
            if state.values.updateValue(value, forKey: key) != nil {
                if let index = state.order.firstIndex(of: key) { state.order.remove(at: index) }
            } else if state.values.count > capacity, let oldest = state.order.first {
                state.order.removeFirst()
                state.values[oldest] = nil
            }
            state.order.append(key)
        }
    }

    /// Lookups that found their key and those that did not.
    var statistics: (hits: Int, misses: Int) {
        state.withLock { ($0.hits, $0.misses) }
    }
}
