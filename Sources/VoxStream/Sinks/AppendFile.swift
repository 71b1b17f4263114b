import Foundation
import VoxFeeds

/// An append-only text file written in whole records; a header line is written when the file is new.
final class AppendFile {
    private let handle: FileHandle
    private let path: String
    private var pending = ""

    /// Opens (creating) `path`, writing `header` first when the file is empty.
    init(path: String, header: String? = nil) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw WatchError("cannot create \(path)")
            }
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let end = try handle.seekToEnd()
        if end == 0, let header { pending = header + "\n" }
    }

    deinit { try? handle.close() }

    /// Queues one record line.
    func append(_ line: String) { pending += line + "\n" }

    /// Writes the queued records.
    /// - Throws: `WatchError` naming the file when the system refuses the write (a full disk, say): the run ends
    ///   with that message, so no count claims records that were not written.
    func flush() throws {
        guard !pending.isEmpty else { return }
        do {
            try handle.write(contentsOf: Data(pending.utf8))
        } catch {
            throw WatchError("cannot write to \(path): \((error as NSError).localizedDescription)")
        }
        pending = ""
    }
}

/// The dead-letter file: one JSON record per line that could not become a post.
final class DeadLetterSink {
    private let file: AppendFile

    init(path: String) throws { file = try AppendFile(path: path) }

    func write(_ letters: [DeadLetter]) throws {
        guard !letters.isEmpty else { return }
        for letter in letters {
            var line: [UInt8] = []
            RecordJSON.append(letter, to: &line)
            file.append(String(decoding: line, as: UTF8.self))
        }
        try file.flush()
    }
}
