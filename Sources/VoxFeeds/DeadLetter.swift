/// Why a line could not become a post.
public enum DeadLetterReason: String, Sendable, CaseIterable, Codable, Comparable {
    /// The line is not valid JSON.
    case invalidJSON = "invalid_json"
    /// The line is not valid UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// Valid JSON, but not an object, or a mapped field has the wrong JSON type.
    case wrongType = "wrong_type"
    /// The text field is absent or empty.
    case missingText = "missing_text"
    /// The time field is absent.
    case missingTime = "missing_time"
    /// The time field cannot be read as a time.
    case badTime = "bad_time"
    /// The line is longer than the limit.
    case lineTooLong = "line_too_long"
    /// The gzip stream was cut inside this line.
    case truncatedGzip = "truncated_gzip"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A line that did not become a post, with enough context to find and fix it.
public struct DeadLetter: Sendable, Equatable {
    /// The file path or URL it came from.
    public var source: String
    /// Byte offset of the line in the source's decoded stream.
    public var offset: Int64
    /// The 1-based line number in the source's decoded stream (blank lines count), for `sed -n Np`.
    public var line: Int
    /// Why it was rejected.
    public var reason: DeadLetterReason
    /// The start of the line (at most 256 bytes, invalid UTF-8 replaced).
    public var snippet: String
    /// A detail for people, such as the byte position of a JSON error.
    public var detail: String?

    /// Creates a dead letter.
    public init(
        source: String, offset: Int64, line: Int, reason: DeadLetterReason, snippet: String, detail: String? = nil
    ) {
        self.source = source
        self.offset = offset
        self.line = line
        self.reason = reason
        self.snippet = snippet
        self.detail = detail
    }
}
