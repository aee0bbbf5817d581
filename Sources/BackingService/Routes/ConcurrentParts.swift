import Foundation

/// Cuts `items` into one contiguous part per core (no part smaller than `minimumPart`, so small inputs
/// are not spread thin), runs `transform` on the parts concurrently, and returns its answers in the
/// parts' order.
func inConcurrentParts<Item: Sendable, Answer: Sendable>(
    _ items: [Item], minimumPart: Int = 1, _ transform: @escaping @Sendable (ArraySlice<Item>) -> Answer
) async -> [Answer] {
    let parts = max(1, min(items.count / max(1, minimumPart), ProcessInfo.processInfo.activeProcessorCount))
    let size = max(1, (items.count + parts - 1) / parts)
    return await withTaskGroup(of: (Int, Answer).self) { group in
        for start in stride(from: 0, to: items.count, by: size) {
            let part = items[start..<min(start + size, items.count)]
            group.addTask { (start, transform(part)) }
        }
        var answers: [(Int, Answer)] = []
        for await answer in group { answers.append(answer) }
        return answers.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
