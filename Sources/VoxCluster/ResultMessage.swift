import VoxFeeds
import VoxStream

/// The results of one line message as `vox worker` stores them on the results stream: the line message's
/// sequence, the model that scored it, and each of its posts' outcome in order: language, abstention, probabilities
/// (bit-exact). A worker stores
/// the results of one batch as one message (``encode(_:)``), so the aggregator reads one results message per batch.
public struct ResultMessage: Sendable, Equatable {
    /// The line message's sequence on the line stream.
    public var sequence: UInt64
    /// The model's tag (`id@version/precision`): the aggregator refuses results from another model.
    public var model: String
    /// Each post's probabilities, in the order of the posts in the line message.
    public var scores: [ClassifyStage.Scores]

    /// Creates the results of one line message.
    public init(sequence: UInt64, model: String, scores: [ClassifyStage.Scores]) {
        self.sequence = sequence
        self.model = model
        self.scores = scores
    }

    /// The de-duplication id of a batch's message: it names every line message in it (their first and last
    /// sequence, count and a 64-bit FNV-1a hash of all of them), so a retried store is dropped by the server while
    /// a redelivered line message batched with others is a new message (whose copies the aggregator ignores).
    public static func id(of results: [ResultMessage]) -> String {
        var hash = FNV1a()
        for result in results { hash.add(littleEndian: result.sequence) }
        let first = results.first?.sequence ?? 0
        let last = results.last?.sequence ?? 0
        return "r\(first)-\(last)-\(results.count)-" + String(hash.value, radix: 16)
    }

    /// A language source's code on the wire: 0 for none, then `LanguageSource.allCases` from 1.
    static func code(_ source: LanguageSource?) -> Int {
        source.flatMap { LanguageSource.allCases.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
    }

    /// One message holding `results` (all from one model).
    public static func encode(_ results: [ResultMessage]) -> [UInt8] {
        var writer = WireWriter(kind: 12)
        writer.string(results.first?.model ?? "")
        writer.varint(UInt64(results.count))
        for result in results {
            writer.varint(result.sequence)
            writer.varint(UInt64(result.scores.count))
            for score in result.scores {
                // Per post: abstention code (0: classified), language source code (0: none), language, scores.
                writer.varint(UInt64(score.abstained?.code ?? 0))
                writer.varint(UInt64(ResultMessage.code(score.langSource)))
                writer.string(score.lang ?? "")
                writer.floats(score.sentiment)
                writer.floats(score.topics)
            }
        }
        return writer.bytes
    }

    /// Decodes a results message.
    /// - Throws: `ClusterError` when the bytes are not one.
    public static func decode(_ bytes: [UInt8]) throws(ClusterError) -> [ResultMessage] {
        do throws(WireError) {
            var reader = WireReader(bytes)
            // Kind 10 held one result per post, before lines were packed; kind 11 no language or abstention.
            guard try reader.byte() == 12 else { throw WireError("is not a batch of results") }
            let model = try reader.string()
            // Each line message's results take at least two bytes, each post's two more.
            let count = try reader.count(limit: bytes.count / 2)
            var results: [ResultMessage] = []
            results.reserveCapacity(count)
            for _ in 0..<count {
                let sequence = try reader.varint()
                let posts = try reader.count(limit: bytes.count / 2)
                var scores: [ClassifyStage.Scores] = []
                scores.reserveCapacity(posts)
                for _ in 0..<posts {
                    let abstention = try reader.varint()
                    let source = try reader.varint()
                    let lang = try reader.string()
                    var reason: AbstainReason? = nil
                    if abstention != 0 {
                        guard let known = UInt8(exactly: abstention).flatMap(AbstainReason.init(code:)) else {
                            throw WireError("names an unknown abstention \(abstention)")
                        }
                        reason = known
                    }
                    guard source <= LanguageSource.allCases.count else {
                        throw WireError("names an unknown language source \(source)")
                    }
                    let langSource = source == 0 ? nil : LanguageSource.allCases[Int(source) - 1]
                    scores.append(
                        ClassifyStage.Scores(
                            sentiment: try reader.floats(), topics: try reader.floats(),
                            lang: lang.isEmpty ? nil : lang, langSource: langSource, abstained: reason))
                }
                results.append(ResultMessage(sequence: sequence, model: model, scores: scores))
            }
            guard reader.atEnd else { throw WireError("has trailing bytes") }
            return results
        } catch {
            throw ClusterError(message: "a message on the results stream \(error.message): not written by vox worker")
        }
    }
}
