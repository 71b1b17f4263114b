import Glibc

/// Splits a decoded byte stream into JSON Lines: LF or CRLF endings, blank lines dropped,
/// a UTF-8 byte-order mark stripped at the start, and lines over a maximum length cut short
/// and marked so they become dead letters while the stream goes on.
///
/// Not thread-safe: one framer belongs to one reader.
public struct LineFramer {
    /// Lines longer than this many bytes become `.tooLong`.
    public let maxLineLength: Int
    /// How many bytes of an overlong line are kept for the dead-letter snippet.
    public static let snippetLength = 256
    /// Lines are handed out once a batch holds about this many bytes.
    public let batchBytes: Int

    private let origin: String
    private var batch: LineBatch
    private var pending: [UInt8] = []
    private var pendingOffset: Int64 = 0
    private var pendingNumber = 1
    private var newlines = 0
    private var overlongLength = 0
    private var overlong = false
    /// Decoded bytes seen so far, including skipped ones.
    public private(set) var position: Int64 = 0
    /// Decoded offset just past the last complete line handed out; a restart resumes here.
    public private(set) var committed: Int64 = 0
    private var skipUntil: Int64

    /// Creates a framer.
    /// - Parameters:
    ///   - origin: The file path or URL recorded in each batch.
    ///   - maxLineLength: The longest line accepted, in bytes.
    ///   - batchBytes: The batch size at which lines are handed out.
    ///   - skipUntil: Decoded bytes to discard first (a re-read from the start after lines were delivered).
    public init(origin: String, maxLineLength: Int = 1 << 20, batchBytes: Int = 256 * 1024, skipUntil: Int64 = 0) {
        self.origin = origin
        self.maxLineLength = maxLineLength
        self.batchBytes = batchBytes
        self.skipUntil = skipUntil
        self.batch = LineBatch(origin: origin, capacity: batchBytes + 4096)
    }

    /// Whether bytes of an unfinished line are waiting for their newline.
    public var hasPartialLine: Bool { overlong || !pending.isEmpty }

    /// Frames `bytes`, calling `emit` whenever a batch fills up.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (LineBatch) throws -> Void) rethrows {
        guard var base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var count = bytes.count
        if position < skipUntil {
            let drop = Int(min(Int64(count), skipUntil - position))
            newlines += UnsafeBufferPointer(start: base, count: drop).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            position += Int64(drop)
            base += drop
            count -= drop
            if position == skipUntil { committed = position }
        }
        var cursor = 0
        while cursor < count {
            let rest = count - cursor
            guard let hit = memchr(base + cursor, 0x0A, rest) else {
                appendPartial(base + cursor, rest)
                position += Int64(rest)
                break
            }
            let newline = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            let segment = newline - cursor
            let lineStart = position
            position += Int64(segment + 1)
            if overlong || !pending.isEmpty {
                appendPartial(base + cursor, segment)
                finishPending(kind: .complete)
            } else {
                addLine(base + cursor, segment, offset: lineStart, number: newlines + 1, kind: .complete)
            }
            newlines += 1
            committed = position
            cursor = newline + 1
        }
        if batch.storage.count >= batchBytes { try emit(takeBatch()) }
    }

    /// Ends the stream: a last line without a newline is handed out (as `.truncated` when the
    /// stream was cut), then the remaining batch.
    /// - Parameters:
    ///   - truncated: Whether the stream was cut short (a gzip member ended early).
    ///   - emit: Receives the last batch, if it holds any line.
    public mutating func finish(truncated: Bool = false, emit: (LineBatch) throws -> Void) rethrows {
        if hasPartialLine {
            finishPending(kind: truncated ? .truncated : .complete)
            committed = position
        }
        try flush(emit: emit)
    }

    /// Hands out the lines framed so far, if any.
    public mutating func flush(emit: (LineBatch) throws -> Void) rethrows {
        if !batch.lines.isEmpty { try emit(takeBatch()) }
    }

    private mutating func takeBatch() -> LineBatch {
        let full = batch
        batch = LineBatch(origin: origin, capacity: batchBytes + 4096)
        return full
    }

    private mutating func appendPartial(_ start: UnsafePointer<UInt8>, _ count: Int) {
        if pending.isEmpty && !overlong {
            pendingOffset = position
            pendingNumber = newlines + 1
        }
        if overlong {
            overlongLength += count
            return
        }
        if pending.count + count > maxLineLength {
            let keep = max(0, min(count, LineFramer.snippetLength - pending.count))
            pending.append(contentsOf: UnsafeBufferPointer(start: start, count: keep))
            overlongLength = pending.count - keep + count
            overlong = true
            if pending.count > LineFramer.snippetLength { pending.removeLast(pending.count - LineFramer.snippetLength) }
            return
        }
        pending.append(contentsOf: UnsafeBufferPointer(start: start, count: count))
    }

    private mutating func finishPending(kind: LineBatch.Line.Kind) {
        if overlong {
            recordTooLong(snippet: pending, length: overlongLength, offset: pendingOffset, number: pendingNumber)
        } else {
            pending.withUnsafeBufferPointer { buffer in
                if let base = buffer.baseAddress {
                    addLine(base, buffer.count, offset: pendingOffset, number: pendingNumber, kind: kind)
                }
            }
        }
        pending.removeAll(keepingCapacity: true)
        overlong = false
        overlongLength = 0
    }

    private mutating func addLine(
        _ start: UnsafePointer<UInt8>, _ rawCount: Int, offset: Int64, number: Int, kind: LineBatch.Line.Kind
    ) {
        var start = start
        var count = rawCount
        if offset == 0 && count >= 3 && start[0] == 0xEF && start[1] == 0xBB && start[2] == 0xBF {
            start += 3
            count -= 3
        }
        if count > 0 && start[count - 1] == 0x0D { count -= 1 }
        if isBlank(start, count) { return }
        if count > maxLineLength {
            recordTooLong(
                snippet: Array(UnsafeBufferPointer(start: start, count: LineFramer.snippetLength)),
                length: count, offset: offset, number: number)
            return
        }
        let at = batch.storage.count
        batch.storage.append(contentsOf: UnsafeBufferPointer(start: start, count: count))
        batch.lines.append(
            LineBatch.Line(start: at, count: count, offset: offset, length: count, number: number, kind: kind))
    }

    private mutating func recordTooLong(snippet: [UInt8], length: Int, offset: Int64, number: Int) {
        let at = batch.storage.count
        batch.storage.append(contentsOf: snippet)
        batch.lines.append(
            LineBatch.Line(
                start: at, count: snippet.count, offset: offset, length: length, number: number, kind: .tooLong))
    }

    private func isBlank(_ start: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var index = 0
        while index < count {
            let byte = start[index]
            if byte != 0x20 && byte != 0x09 && byte != 0x0D { return false }
            index += 1
        }
        return true
    }
}
