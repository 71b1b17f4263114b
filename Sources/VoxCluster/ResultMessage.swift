import VoxFeeds

/// One post's result as `vox worker` stores it on the results stream: the post's sequence on the line stream, the
/// model that scored it, and its probabilities (bit-exact). A worker stores the results of one batch as one
/// message (``encode(_:)``), so the aggregator reads one results message per batch of posts, not one per post.
public struct ResultMessage: Sendable, Equatable {
    /// The post's sequence on the line stream.
    public var sequence: UInt64
    /// The model's tag (`id@version/precision`): the aggregator refuses results from another model.
    public var model: String
    /// Negative, neutral, positive.
    public var sentiment: [Float]
    /// In the taxonomy's order.
    public var topics: [Float]

    /// Creates a result.
    public init(sequence: UInt64, model: String, sentiment: [Float], topics: [Float]) {
        self.sequence = sequence
        self.model = model
        self.sentiment = sentiment
        self.topics = topics
    }

    /// The de-duplication id of a batch's message: it names every post in it (their first and last sequence,
    /// count and a 64-bit FNV-1a hash of all of them), so a retried store is dropped by the server while a
    /// redelivered post batched with other posts is a new message (whose copies the aggregator ignores).
    public static func id(of results: [ResultMessage]) -> String {
        var hash = FNV1a()
        for result in results { hash.add(littleEndian: result.sequence) }
        let first = results.first?.sequence ?? 0
        let last = results.last?.sequence ?? 0
        return "r\(first)-\(last)-\(results.count)-" + String(hash.value, radix: 16)
    }

    /// One message holding `results` (all from one model).
    public static func encode(_ results: [ResultMessage]) -> [UInt8] {
        var writer = WireWriter(kind: 10)
        writer.string(results.first?.model ?? "")
        writer.varint(UInt64(results.count))
        for result in results {
            writer.varint(result.sequence)
            writer.floats(result.sentiment)
            writer.floats(result.topics)
        }
        return writer.bytes
    }

    /// Decodes a results message.
    /// - Throws: `ClusterError` when the bytes are not one.
    public static func decode(_ bytes: [UInt8]) throws(ClusterError) -> [ResultMessage] {
        do throws(WireError) {
            var reader = WireReader(bytes)
            guard try reader.byte() == 10 else { throw WireError("is not a batch of results") }
            let model = try reader.string()
            // Each result takes at least three bytes.
            let count = try reader.count(limit: bytes.count / 3)
            var results: [ResultMessage] = []
            results.reserveCapacity(count)
            for _ in 0..<count {
                let sequence = try reader.varint()
                results.append(
                    ResultMessage(
                        sequence: sequence, model: model, sentiment: try reader.floats(), topics: try reader.floats()))
            }
            guard reader.atEnd else { throw WireError("has trailing bytes") }
            return results
        } catch {
            throw ClusterError(message: "a message on the results stream \(error.message): not written by vox worker")
        }
    }
}
