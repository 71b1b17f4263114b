/// What `vox worker` publishes on the results stream for one post: the post's sequence on the line stream, the
/// model that scored it, and its probabilities (bit-exact).
public struct ResultMessage: Sendable, Equatable {
    /// The post's sequence on the line stream (also the message's de-duplication id).
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

    /// The de-duplication id.
    public var id: String { "r\(sequence)" }

    /// The encoded message.
    public var bytes: [UInt8] {
        var writer = WireWriter(kind: 9)
        writer.varint(sequence)
        writer.string(model)
        writer.floats(sentiment)
        writer.floats(topics)
        return writer.bytes
    }

    /// Decodes a result.
    /// - Throws: `ClusterError` when the bytes are not a result.
    public init(bytes: [UInt8]) throws(ClusterError) {
        do throws(WireError) {
            var reader = WireReader(bytes)
            guard try reader.byte() == 9 else { throw WireError("is not a result") }
            sequence = try reader.varint()
            model = try reader.string()
            sentiment = try reader.floats()
            topics = try reader.floats()
            guard reader.atEnd else { throw WireError("has trailing bytes") }
        } catch {
            throw ClusterError(message: "a message on the results stream \(error.message): not written by vox worker")
        }
    }
}
