import Foundation
import VoxFeeds

/// An append-only text file written in whole records; a header line is written when the file is new.
final class AppendFile {
    private let handle: FileHandle
    private var pending = ""

    /// Opens (creating) `path`, writing `header` first when the file is empty.
    init(path: String, header: String? = nil) throws {
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
    func flush() throws {
        guard !pending.isEmpty else { return }
        try handle.write(contentsOf: Data(pending.utf8))
        pending = ""
    }
}

/// The suffix of the temporary file `writeAtomically` renames into place; a run killed mid-write leaves one behind.
let partialSuffix = ".partial"

/// Writes `text` to `path` through `path.partial` and a rename, so readers never see half a file.
/// The temporary name is fixed (not random), so a run killed between the write and the rename leaves a file
/// that `removePartialFiles(in:)` recognises and clears when the run resumes.
public func writeAtomically(_ text: String, to path: String) throws {
    try writeAtomically(Data(text.utf8), to: path)
}

/// Writes `data` to `path` through `path.partial` and a rename (see the `String` form).
public func writeAtomically(_ data: Data, to path: String) throws {
    let temporary = path + partialSuffix
    guard FileManager.default.createFile(atPath: temporary, contents: data) else {
        throw WatchError("cannot write \(temporary)")
    }
    guard rename(temporary, path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(atPath: temporary)
        throw WatchError("cannot replace \(path): \(reason)")
    }
}

/// Deletes the `*.partial` files a killed run left in `folder` (none is a finished output).
func removePartialFiles(in folder: String) throws {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
    for name in names where name.hasSuffix(partialSuffix) {
        try FileManager.default.removeItem(atPath: folder + "/" + name)
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
