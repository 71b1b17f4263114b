/// Exact accounting of a run's input: every non-blank line ends as a post, a skipped non-post event,
/// or a dead letter, so `lines == posts + skipped + deadLetters.total` always holds.
public struct IngestStats: Sendable, Equatable {
    /// Counts for one source.
    public struct Source: Sendable, Equatable, Codable {
        /// The source as named on the command line.
        public var name: String
        /// Non-blank lines read.
        public var lines = 0
        /// Lines that became posts.
        public var posts = 0
        /// Valid events that are not posts.
        public var skipped = 0
        /// Dead letters by reason.
        public var deadLetters: [DeadLetterReason: Int] = [:]
        /// Raw bytes read (compressed, where the source is gzip).
        public var bytes: Int64 = 0
        /// Reconnects and retries after drops and error statuses.
        public var reconnects = 0
        /// The connector profile used (after detection).
        public var profile: String? = nil
        /// Why the source could not be read to its end, if it could not.
        public var error: String? = nil

        /// Creates empty counts for `name`.
        public init(name: String) { self.name = name }
    }

    /// Per-source counts, in command-line order.
    public var sources: [Source]
    /// Whether the run was stopped early (SIGINT, a closed output) rather than reading every source to its end.
    public var interrupted = false

    /// Creates empty counts for the named sources.
    public init(sourceNames: [String]) {
        sources = sourceNames.map(Source.init(name:))
    }

    /// Non-blank lines read, over all sources.
    public var lines: Int { sources.reduce(0) { $0 + $1.lines } }
    /// Posts, over all sources.
    public var posts: Int { sources.reduce(0) { $0 + $1.posts } }
    /// Skipped non-post events, over all sources.
    public var skipped: Int { sources.reduce(0) { $0 + $1.skipped } }
    /// Raw bytes read, over all sources.
    public var bytes: Int64 { sources.reduce(0) { $0 + $1.bytes } }
    /// Dead letters by reason, over all sources.
    public var deadLetters: [DeadLetterReason: Int] {
        sources.reduce(into: [:]) { total, source in total.merge(source.deadLetters, uniquingKeysWith: +) }
    }
    /// All dead letters, over all sources.
    public var deadLetterTotal: Int { deadLetters.values.reduce(0, +) }
    /// Whether every source was read to its end.
    public var allSourcesSucceeded: Bool { sources.allSatisfy { $0.error == nil } }

    /// Adds a batch's counts.
    public mutating func record(_ batch: FeedBatch) {
        sources[batch.sourceIndex].lines += batch.lines
        sources[batch.sourceIndex].posts += batch.posts.count
        sources[batch.sourceIndex].skipped += batch.skipped
        for letter in batch.deadLetters { sources[batch.sourceIndex].deadLetters[letter.reason, default: 0] += 1 }
    }

    /// The summary as one JSON object (`lines`, `posts`, `skipped`, `dead_letters`, `bytes`, `sources`).
    public func json(extra: [(String, String)] = []) -> String {
        func counts(_ letters: [DeadLetterReason: Int]) -> String {
            JSONText.object(letters.sorted { $0.key < $1.key }.map { ($0.key.rawValue, String($0.value)) })
        }
        let perSource = sources.map { source in
            JSONText.object([
                ("name", JSONText.quote(source.name)), ("profile", source.profile.map(JSONText.quote) ?? "null"),
                ("lines", String(source.lines)), ("posts", String(source.posts)), ("skipped", String(source.skipped)),
                ("dead_letters", counts(source.deadLetters)), ("bytes", String(source.bytes)),
                ("reconnects", String(source.reconnects)), ("error", source.error.map(JSONText.quote) ?? "null"),
            ])
        }
        return JSONText.object(
            [
                ("lines", String(lines)), ("posts", String(posts)), ("skipped", String(skipped)),
                ("dead_letters", counts(deadLetters)), ("bytes", String(bytes)),
                ("interrupted", String(interrupted)), ("sources", "[" + perSource.joined(separator: ",") + "]"),
            ] + extra)
    }

    /// A short human summary for the terminal.
    public var summary: String {
        var text = "\(lines) lines: \(posts) posts, \(skipped) skipped, \(deadLetterTotal) dead letters"
        let reasons = deadLetters.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
        if !reasons.isEmpty { text += " (" + reasons.joined(separator: ", ") + ")" }
        for source in sources where source.error != nil || sources.count > 1 {
            text += "\n  \(source.name): \(source.lines) lines, \(source.posts) posts"
            if let profile = source.profile { text += " [\(profile)]" }
            if source.reconnects > 0 { text += ", \(source.reconnects) reconnects" }
            if let error = source.error { text += " — FAILED: \(error)" }
        }
        return text
    }
}
