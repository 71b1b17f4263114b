import Foundation

/// A buffered, append-only byte writer for standard output or a file, flushed in whole records.
///
/// A closed pipe (`vox cat … | head`) ends the writing quietly instead of killing the process; any other failed
/// write (a full disk, `/dev/full`) is kept as ``failure``, which ``finish()`` reports.
final class OutputFile {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let name: String
    private var buffer: [UInt8] = []
    private let flushThreshold = 1 << 16
    /// Whether the reader went away (EPIPE) or a write failed.
    private(set) var broken = false
    /// Why a write failed (nil when none did, or the reader only went away).
    private(set) var failure: String? = nil

    /// Standard output.
    static func standardOutput() -> OutputFile { OutputFile(descriptor: 1, owns: false, name: "standard output") }

    /// Opens `path` for appending (created if missing).
    /// - Throws: `ValidationError`-style message when the file cannot be opened.
    static func appending(to path: String) throws -> OutputFile {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CLIError("cannot open \(path) for writing: \(String(cString: strerror(errno)))")
        }
        return OutputFile(descriptor: descriptor, owns: true, name: path)
    }

    private init(descriptor: Int32, owns: Bool, name: String) {
        self.descriptor = descriptor
        self.ownsDescriptor = owns
        self.name = name
        buffer.reserveCapacity(flushThreshold * 2)
    }

    deinit {
        flush()
        if ownsDescriptor { close(descriptor) }
    }

    /// Appends one record built by `body`, then a newline; flushes when the buffer is large.
    func writeLine(_ body: (inout [UInt8]) -> Void) {
        body(&buffer)
        buffer.append(0x0A)
        if buffer.count >= flushThreshold { flush() }
    }

    /// Writes out everything buffered.
    func flush() {
        guard !broken, !buffer.isEmpty else {
            buffer.removeAll(keepingCapacity: true)
            return
        }
        var written = 0
        buffer.withUnsafeBytes { bytes in
            while written < bytes.count {
                let result = write(descriptor, bytes.baseAddress.map { $0 + written }, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    if errno != EPIPE { failure = "cannot write to \(name): \(String(cString: strerror(errno)))" }
                    broken = true
                    return
                }
                written += result
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, then reports a write that failed (not a reader that went away).
    /// - Throws: `CLIError` naming the output and the system's reason.
    func finish() throws {
        flush()
        if let failure { throw CLIError(failure) }
    }
}

/// A failure the CLI reports as a plain message and a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
