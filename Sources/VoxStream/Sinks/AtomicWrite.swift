import Foundation

/// The suffix of the temporary file `writeAtomically` renames into place; a run killed mid-write leaves one behind.
let partialSuffix = ".partial"

/// Writes `text` to `path` through `path.partial` and a rename, so readers never see half a file.
/// The temporary name is fixed (not random), so a run killed between the write and the rename leaves a file
/// that `removePartialFiles(in:)` recognises and clears when the run resumes.
/// - Parameter durable: Also flush the file to the disk before the rename (checkpoints), so a power cut leaves
///   the old file or the new one; without it (outputs rewritten every batch) a killed process still does.
public func writeAtomically(_ text: String, to path: String, durable: Bool = false) throws {
    try writeAtomically(Data(text.utf8), to: path, durable: durable)
}

/// Writes `data` to `path` through `path.partial` and a rename (see the `String` form).
public func writeAtomically(_ data: Data, to path: String, durable: Bool = false) throws {
    let temporary = path + partialSuffix
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw WatchError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
    var failure: String? = nil
    data.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count, let base = buffer.baseAddress {
            let written = write(descriptor, base + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                return
            }
            offset += written
        }
    }
    if failure == nil, durable, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
    if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
    if let failure {
        unlink(temporary)
        throw WatchError("cannot write \(temporary): \(failure)")
    }
    guard rename(temporary, path) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
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
