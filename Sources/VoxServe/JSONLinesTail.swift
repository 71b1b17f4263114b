import Foundation

/// Follows an append-only JSON Lines file: each ``readNew()`` returns the complete lines added since the last
/// call (a line still being written waits for its newline). A file that shrank was cut back (a resumed run does
/// that) and is read again from its start; a missing file is simply empty.
struct JSONLinesTail {
    /// The file followed.
    let path: String
    private var offset: UInt64 = 0
    private var pending: [UInt8] = []

    /// What a read found.
    struct Update {
        /// Complete lines added since the last read, without their newlines; blank lines are left out.
        var lines: [String]
        /// Whether the file was cut back (or replaced), so everything read before is void.
        var reset: Bool
    }

    /// Follows `path`.
    init(path: String) { self.path = path }

    /// Reads what was appended since the last call.
    /// - Throws: `ServeError` when the file exists but cannot be read.
    mutating func readNew() throws -> Update {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = (attributes[.size] as? NSNumber)?.uint64Value
        else {
            let reset = offset > 0
            offset = 0
            pending = []
            return Update(lines: [], reset: reset)
        }
        var reset = false
        if size < offset {
            offset = 0
            pending = []
            reset = true
        }
        guard size > offset else { return Update(lines: [], reset: reset) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ServeError("cannot read \(path)")
        }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: offset)
            let data = try handle.read(upToCount: Int(size - offset)) ?? Data()
            offset += UInt64(data.count)
            pending += data
        } catch {
            throw ServeError("cannot read \(path): \(error.localizedDescription)")
        }
        var lines: [String] = []
        var start = pending.startIndex
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: pending[start..<newline], as: UTF8.self)
            if !line.allSatisfy(\.isWhitespace) { lines.append(line) }
            start = newline + 1
        }
        pending.removeSubrange(pending.startIndex..<start)
        return Update(lines: lines, reset: reset)
    }
}
