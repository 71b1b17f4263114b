import VoxFeeds

/// What `vox publish` writes on the line stream: one message per line of each source, in source order (a post,
/// a filtered post, a run of skipped lines, a dead letter), plus the run's start, sources' ends and reconnects.
/// Lines are numbered from 0 per source, so the aggregator applies each exactly once, whatever was republished.
public enum LineMessage: Sendable, Equatable {
    /// The run's sources and connector profile (the first message).
    case start(sources: [String], profile: String)
    /// A post the publisher's filter kept: the workers classify it.
    case post(source: Int, line: Int, Post)
    /// A post the filter dropped, for its language or (`duplicate`) as a repeated id.
    case filtered(source: Int, line: Int, duplicate: Bool)
    /// `count` consecutive lines from `line` that the profile skips (not posts).
    case skipped(source: Int, line: Int, count: Int)
    /// A line that could not become a post.
    case deadLetter(source: Int, line: Int, DeadLetter)
    /// The source ended after `line` lines.
    case finished(source: Int, line: Int)
    /// The source reconnected.
    case reconnected(source: Int)
    /// Every source has ended: what the publisher's feed read of each.
    case end([SourceEnd])

    /// What the feed read of one source.
    public struct SourceEnd: Sendable, Equatable {
        /// The profile it was read with.
        public var profile: String?
        /// Bytes read.
        public var bytes: Int64
        /// Why it stopped early, if it did.
        public var error: String?

        /// Creates a source's end.
        public init(profile: String?, bytes: Int64, error: String?) {
            self.profile = profile
            self.bytes = bytes
            self.error = error
        }
    }

    /// The de-duplication id: derived from (source, line), so a restarted publisher's copies are dropped.
    public var id: String {
        switch self {
        case .start: "start"
        case .post(let source, let line, _), .filtered(let source, let line, _), .skipped(let source, let line, _),
            .deadLetter(let source, let line, _):
            "\(source):\(line)"
        case .finished(let source, _): "\(source):end"
        case .reconnected: ""
        case .end: "end"
        }
    }

    /// The encoded message.
    public var bytes: [UInt8] {
        switch self {
        case .start(let sources, let profile):
            var writer = WireWriter(kind: 1)
            writer.varint(UInt64(sources.count))
            for source in sources { writer.string(source) }
            writer.string(profile)
            return writer.bytes
        case .post(let source, let line, let post):
            var writer = WireWriter(kind: 2)
            writer.int(source)
            writer.int(line)
            writer.string(post.id)
            writer.string(post.text)
            writer.int64(post.createdAt)
            writer.optional(post.author)
            writer.optional(post.lang)
            writer.string(post.source)
            writer.optional(post.extra)
            return writer.bytes
        case .filtered(let source, let line, let duplicate):
            var writer = WireWriter(kind: 3)
            writer.int(source)
            writer.int(line)
            writer.byte(duplicate ? 1 : 0)
            return writer.bytes
        case .skipped(let source, let line, let count):
            var writer = WireWriter(kind: 4)
            writer.int(source)
            writer.int(line)
            writer.int(count)
            return writer.bytes
        case .deadLetter(let source, let line, let letter):
            var writer = WireWriter(kind: 5)
            writer.int(source)
            writer.int(line)
            writer.string(letter.source)
            writer.int64(letter.offset)
            writer.int(letter.line)
            writer.string(letter.reason.rawValue)
            writer.string(letter.snippet)
            writer.optional(letter.detail)
            return writer.bytes
        case .finished(let source, let line):
            var writer = WireWriter(kind: 6)
            writer.int(source)
            writer.int(line)
            return writer.bytes
        case .reconnected(let source):
            var writer = WireWriter(kind: 7)
            writer.int(source)
            return writer.bytes
        case .end(let sources):
            var writer = WireWriter(kind: 8)
            writer.varint(UInt64(sources.count))
            for source in sources {
                writer.optional(source.profile)
                writer.int64(source.bytes)
                writer.optional(source.error)
            }
            return writer.bytes
        }
    }

    /// Decodes a message.
    /// - Throws: `ClusterError` when the bytes are not a line message.
    public init(bytes: [UInt8]) throws(ClusterError) {
        do {
            self = try LineMessage.decode(bytes)
        } catch {
            throw ClusterError(message: "a message on the line stream \(error.message): not written by vox publish")
        }
    }

    private static func decode(_ bytes: [UInt8]) throws(WireError) -> LineMessage {
        var reader = WireReader(bytes)
        let message: LineMessage
        switch try reader.byte() {
        case 1:
            let count = try reader.count(limit: bytes.count)
            var sources: [String] = []
            for _ in 0..<count { sources.append(try reader.string()) }
            message = .start(sources: sources, profile: try reader.string())
        case 2:
            let source = try reader.count()
            let line = try reader.count(limit: Int.max)
            let post = Post(
                id: try reader.string(), text: try reader.string(), createdAt: try reader.int64(),
                author: try reader.optional(), lang: try reader.optional(), source: try reader.string(),
                extra: try reader.optional())
            message = .post(source: source, line: line, post)
        case 3:
            message = .filtered(
                source: try reader.count(), line: try reader.count(limit: Int.max), duplicate: try reader.byte() == 1)
        case 4:
            message = .skipped(
                source: try reader.count(), line: try reader.count(limit: Int.max),
                count: try reader.count(limit: Int.max))
        case 5:
            let source = try reader.count()
            let line = try reader.count(limit: Int.max)
            let origin = try reader.string()
            let offset = try reader.int64()
            let number = try reader.int()
            let reasonText = try reader.string()
            guard let reason = DeadLetterReason(rawValue: reasonText) else {
                throw WireError("has an unknown dead-letter reason \(reasonText)")
            }
            let letter = DeadLetter(
                source: origin, offset: offset, line: number, reason: reason, snippet: try reader.string(),
                detail: try reader.optional())
            message = .deadLetter(source: source, line: line, letter)
        case 6:
            message = .finished(source: try reader.count(), line: try reader.count(limit: Int.max))
        case 7:
            message = .reconnected(source: try reader.count())
        case 8:
            let count = try reader.count(limit: bytes.count)
            var ends: [SourceEnd] = []
            for _ in 0..<count {
                ends.append(
                    SourceEnd(profile: try reader.optional(), bytes: try reader.int64(), error: try reader.optional()))
            }
            message = .end(ends)
        case let kind:
            throw WireError("has an unknown kind \(kind)")
        }
        guard reader.atEnd else { throw WireError("has trailing bytes") }
        return message
    }
}
