import VoxFeeds

/// What `vox publish` writes on the line stream: consecutive lines of one source packed into one message, in
/// source order (each line a post, a filtered post, a run of skipped lines or a dead letter), plus the run's start,
/// sources' ends and reconnects. Lines are numbered from 0 per source, so the aggregator applies each exactly once,
/// whatever was republished (and however a republished run was packed).
public enum LineMessage: Sendable, Equatable {
    /// The run's sources and connector profile (the first message).
    case start(sources: [String], profile: String)
    /// Consecutive lines of `source`, the first numbered `line`.
    case lines(source: Int, line: Int, [Entry])
    /// The source ended after `line` lines.
    case finished(source: Int, line: Int)
    /// The source reconnected.
    case reconnected(source: Int)
    /// Every source has ended: what the publisher's feed read of each.
    case end([SourceEnd])

    /// One line (or a run of skipped lines) in a ``lines(source:line:_:)`` message.
    public enum Entry: Sendable, Equatable {
        /// A post the publisher's filter kept: the workers classify it.
        case post(Post)
        /// A post the filter dropped, for its language or (`duplicate`) as a repeated id.
        case filtered(duplicate: Bool)
        /// `count` consecutive lines that the profile skips (not posts).
        case skipped(count: Int)
        /// A line that could not become a post.
        case deadLetter(DeadLetter)

        /// Whether this entry is a post (which has a result).
        public var isPost: Bool {
            if case .post = self { true } else { false }
        }

        /// The lines this entry stands for.
        public var lines: Int {
            if case .skipped(let count) = self { count } else { 1 }
        }
    }

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

    /// Lines packed into one message by default (`vox publish --pack`).
    public static let defaultPack = 32

    /// The de-duplication id: derived from (source, first line, lines), so a restarted publisher's copies are
    /// dropped (a copy packed differently is stored, and the aggregator skips the lines it applied already).
    public var id: String {
        switch self {
        case .start: "start"
        case .lines(let source, let line, let entries):
            "\(source):\(line)+\(entries.reduce(0) { $0 + $1.lines })"
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
        case .lines(let source, let line, let entries):
            // Kind 9 (kinds 2–5 were one line each, before lines were packed).
            var writer = WireWriter(kind: 9)
            writer.int(source)
            writer.int(line)
            writer.varint(UInt64(entries.count))
            for entry in entries { LineMessage.encode(entry, into: &writer) }
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
        case 9:
            let source = try reader.count()
            let line = try reader.count(limit: Int.max)
            // Each entry takes at least one byte.
            let count = try reader.count(limit: bytes.count)
            guard count > 0 else { throw WireError("has no lines") }
            var entries: [Entry] = []
            entries.reserveCapacity(count)
            for _ in 0..<count { entries.append(try decodeEntry(&reader)) }
            message = .lines(source: source, line: line, entries)
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

    private static func encode(_ entry: Entry, into writer: inout WireWriter) {
        switch entry {
        case .post(let post):
            writer.byte(1)
            writer.string(post.id)
            writer.string(post.text)
            writer.int64(post.createdAt)
            writer.optional(post.author)
            writer.optional(post.lang)
            writer.string(post.source)
            writer.optional(post.extra)
        case .filtered(let duplicate):
            writer.byte(duplicate ? 3 : 2)
        case .skipped(let count):
            writer.byte(4)
            writer.int(count)
        case .deadLetter(let letter):
            writer.byte(5)
            writer.string(letter.source)
            writer.int64(letter.offset)
            writer.int(letter.line)
            writer.string(letter.reason.rawValue)
            writer.string(letter.snippet)
            writer.optional(letter.detail)
        }
    }

    private static func decodeEntry(_ reader: inout WireReader) throws(WireError) -> Entry {
        switch try reader.byte() {
        case 1:
            return .post(
                Post(
                    id: try reader.string(), text: try reader.string(), createdAt: try reader.int64(),
                    author: try reader.optional(), lang: try reader.optional(), source: try reader.string(),
                    extra: try reader.optional()))
        case 2: return .filtered(duplicate: false)
        case 3: return .filtered(duplicate: true)
        case 4:
            let count = try reader.count(limit: Int.max)
            guard count > 0 else { throw WireError("has an empty run of skipped lines") }
            return .skipped(count: count)
        case 5:
            let origin = try reader.string()
            let offset = try reader.int64()
            let number = try reader.int()
            let reasonText = try reader.string()
            guard let reason = DeadLetterReason(rawValue: reasonText) else {
                throw WireError("has an unknown dead-letter reason \(reasonText)")
            }
            return .deadLetter(
                DeadLetter(
                    source: origin, offset: offset, line: number, reason: reason, snippet: try reader.string(),
                    detail: try reader.optional()))
        case let kind:
            throw WireError("has an unknown kind of line \(kind)")
        }
    }
}
