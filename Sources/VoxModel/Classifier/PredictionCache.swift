import Foundation

/// Predictions of texts classified before, keyed by their exact token ids, so that identical texts (retweets of one
/// post, copy-paste campaigns) run through the encoder once.
///
/// The engine computes every post by the same operations whatever batch it is in, so a cached prediction is
/// bitwise the one a new pass would give: the cache changes speed, never results. It holds at most `capacity`
/// entries and forgets the oldest first.
final class PredictionCache: @unchecked Sendable {
    // @unchecked: every access is under `lock`.
    private let lock = NSLock()
    private var entries: [[Int32]: TextClassifier.Prediction] = [:]
    private var order: [[Int32]] = []
    private var oldest = 0
    private var hitCount = 0
    /// The most entries kept.
    let capacity: Int

    /// An empty cache of at most `capacity` entries.
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Texts answered without the encoder so far.
    var hits: Int { lock.withLock { hitCount } }

    /// Entries held now.
    var count: Int { lock.withLock { entries.count } }

    /// The predictions for `batch` (token ids per text): cached ones looked up, the others (each distinct sequence
    /// once) computed by `compute` and remembered.
    func predictions(
        _ batch: [[Int32]], compute: ([[Int32]]) -> [TextClassifier.Prediction]
    ) -> [TextClassifier.Prediction] {
        var found = [TextClassifier.Prediction?](repeating: nil, count: batch.count)
        var missing: [[Int32]] = []
        var slot: [[Int32]: Int] = [:]
        var source = [Int](repeating: -1, count: batch.count)
        lock.withLock {
            for (index, ids) in batch.enumerated() {
                if let cached = entries[ids] {
                    found[index] = cached
                    hitCount += 1
                } else if let earlier = slot[ids] {
                    source[index] = earlier
                    hitCount += 1
                } else {
                    slot[ids] = missing.count
                    source[index] = missing.count
                    missing.append(ids)
                }
            }
        }
        let computed = missing.isEmpty ? [] : compute(missing)
        lock.withLock {
            for (ids, prediction) in zip(missing, computed) where !prediction.probabilities.isEmpty {
                remember(ids, prediction)
            }
        }
        return found.indices.map { index in
            found[index]
                ?? (computed.indices.contains(source[index]) ? computed[source[index]] : .init(probabilities: []))
        }
    }

    /// Stores one entry, forgetting the oldest beyond capacity (call under `lock`).
    private func remember(_ ids: [Int32], _ prediction: TextClassifier.Prediction) {
        guard entries.updateValue(prediction, forKey: ids) == nil else { return }
        order.append(ids)
        while entries.count > capacity, oldest < order.count {
            entries.removeValue(forKey: order[oldest])
            oldest += 1
        }
        if oldest > 1_024 && oldest * 2 > order.count {
            order.removeFirst(oldest)
            oldest = 0
        }
    }
}
