/// A run of framed lines from one source, stored back to back in one buffer.
///
/// Batches amortise the cost of crossing from the reader thread to the parsing stage:
/// one hand-off carries hundreds of lines.
public struct LineBatch: Sendable {
    /// One line's place in `storage` and in its source.
    public struct Line: Sendable, Equatable {
        /// How the line ended.
        public enum Kind: Sendable, Equatable {
            /// A whole line (ended by a newline or by the end of the stream).
            case complete
            /// Longer than the limit: `storage` holds only its first bytes, `length` is its real length.
            case tooLong
            /// The stream was cut (truncated gzip) before this line ended.
            case truncated
        }

        /// Start of the line's bytes in `storage`.
        public var start: Int
        /// Number of bytes of the line held in `storage` (without the newline or a trailing CR).
        public var count: Int
        /// Byte offset of the line's first byte in the source's decoded stream.
        public var offset: Int64
        /// The line's full length in bytes (differs from `count` for `.tooLong`).
        public var length: Int
        /// The 1-based line number in the source's decoded stream (blank lines count).
        public var number: Int
        /// How the line ended.
        public var kind: Kind
    }

    /// Where the lines came from: a file path or a URL (without credentials).
    public var origin: String
    /// The lines' bytes, back to back.
    public var storage: [UInt8]
    /// The lines, in order.
    public var lines: [Line]

    /// Creates an empty batch.
    /// - Parameters:
    ///   - origin: A file path or URL.
    ///   - capacity: Bytes to reserve.
    public init(origin: String, capacity: Int = 0) {
        self.origin = origin
        self.storage = []
        self.storage.reserveCapacity(capacity)
        self.lines = []
    }

    /// Calls `body` with the bytes of `line`.
    @inlinable
    public func withBytes<R>(of line: Line, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[line.start..<(line.start + line.count)]))
        }
    }
}
