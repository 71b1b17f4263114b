/// Turns one raw byte stream (a file, or an HTTP body across reconnects) into framed lines:
/// gzip is recognised by its magic bytes (so `.gz` payloads and `Content-Encoding: gzip` both work)
/// and inflated incrementally; anything else passes straight to the framer.
struct StreamDecoder {
    /// What the end of a stream revealed.
    enum Ending: Equatable {
        /// The stream ended cleanly.
        case clean
        /// The stream ended inside a gzip member, after this many compressed bytes.
        case truncatedGzip(compressedOffset: Int64)
    }

    private var framer: LineFramer
    private var inflater: GzipInflater?
    private var sniffed: [UInt8] = []
    private var decided = false

    /// Creates a decoder.
    /// - Parameters:
    ///   - origin: The file path or URL.
    ///   - maxLineLength: The longest line accepted.
    ///   - skipDecoded: Decoded bytes already delivered by an earlier read of the same stream.
    init(origin: String, maxLineLength: Int, skipDecoded: Int64 = 0) {
        framer = LineFramer(origin: origin, maxLineLength: maxLineLength, skipUntil: skipDecoded)
    }

    /// Decoded offset just past the last complete line handed out.
    var committed: Int64 { framer.committed }

    /// Whether this stream is gzip (known once two bytes have arrived).
    var isGzip: Bool { inflater != nil }

    /// Feeds raw bytes.
    /// - Throws: `FeedError` for corrupt gzip data, or whatever `emit` throws.
    mutating func feed(_ raw: UnsafeRawBufferPointer, emit: (LineBatch) throws -> Void) throws {
        if !decided {
            let earlier = sniffed
            sniffed.append(contentsOf: raw.prefix(2 - sniffed.count))
            guard sniffed.count == 2 else { return }
            decided = true
            if sniffed == [0x1F, 0x8B] { inflater = try GzipInflater() }
            // Bytes held back from earlier chunks while sniffing go first, then the whole current chunk.
            if !earlier.isEmpty { try earlier.withUnsafeBytes { try pass($0, emit: emit) } }
        }
        try pass(raw, emit: emit)
    }

    private mutating func pass(_ raw: UnsafeRawBufferPointer, emit: (LineBatch) throws -> Void) throws {
        if let inflater {
            try inflater.inflate(raw) { decoded in try framer.feed(decoded, emit: emit) }
        } else {
            try framer.feed(raw, emit: emit)
        }
    }

    /// Hands out the lines framed so far without ending the stream (a followed file at its current end).
    mutating func flush(emit: (LineBatch) throws -> Void) rethrows {
        try framer.flush(emit: emit)
    }

    /// Ends the stream: the last unterminated line is handed out (marked truncated when the gzip member was cut).
    mutating func finish(emit: (LineBatch) throws -> Void) throws -> Ending {
        if !decided && !sniffed.isEmpty {
            decided = true
            let bytes = sniffed
            try bytes.withUnsafeBytes { try framer.feed($0, emit: emit) }
        }
        let truncated = inflater?.isMidMember ?? false
        try framer.finish(truncated: truncated, emit: emit)
        if truncated, let inflater { return .truncatedGzip(compressedOffset: inflater.consumed) }
        return .clean
    }
}
