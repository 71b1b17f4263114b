import Foundation

/// Reads local files (or standard input) in order; with `follow`, keeps reading the last file as it
/// grows and survives rotation (a new file at the same path) and truncation, like `tail -F`.
struct FileTransport: ByteTransport {
    /// Paths in reading order; `-` is standard input.
    let paths: [String]
    /// Whether to keep following the last file at its end.
    let follow: Bool
    /// How often a followed file is checked for growth, in seconds.
    let pollInterval: Double

    private static let chunkSize = 256 * 1024

    func run(_ sink: any TransportSink) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileTransport.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        for (index, path) in paths.enumerated() {
            let followThis = follow && index == paths.count - 1 && path != "-"
            try read(path, follow: followThis, buffer: buffer, sink: sink)
        }
    }

    private func read(
        _ path: String, follow: Bool, buffer: UnsafeMutableRawBufferPointer, sink: any TransportSink
    ) throws {
        var descriptor = try open(path)
        defer { if descriptor != 0 { close(descriptor) } }
        sink.beginStream(origin: path)
        var position: Int64 = 0
        while true {
            let count = try readChunk(descriptor, buffer, path: path, stop: sink.stop)
            if count > 0 {
                try sink.deliver(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                position += Int64(count)
                continue
            }
            guard follow else { break }
            if sink.stop.sleep(seconds: pollInterval) { throw PumpStopped() }
            var current = stat()
            guard stat(path, &current) == 0 else { continue }  // mid-rotation: the new file is not there yet
            var opened = stat()
            fstat(descriptor, &opened)
            if current.st_ino != opened.st_ino || current.st_dev != opened.st_dev {
                // Rotated: finish what the old file still holds, then start on the new one.
                while true {
                    let rest = try readChunk(descriptor, buffer, path: path, stop: sink.stop)
                    if rest == 0 { break }
                    try sink.deliver(UnsafeRawBufferPointer(rebasing: buffer[0..<rest]))
                }
                try sink.endStream()
                close(descriptor)
                descriptor = try open(path)
                position = 0
                sink.notice("\(path): file was rotated; reading the new file from its start")
                sink.beginStream(origin: path)
            } else if Int64(current.st_size) < position {
                try sink.endStream()
                lseek(descriptor, 0, SEEK_SET)
                position = 0
                sink.notice("\(path): file was truncated; reading it again from its start")
                sink.beginStream(origin: path)
            }
        }
        try sink.endStream()
    }

    private func open(_ path: String) throws(FeedError) -> Int32 {
        if path == "-" { return 0 }
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FeedError(.io, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    /// Reads what is there. A pipe, terminal or FIFO (standard input, typically) is waited on in short polls, so a
    /// stop request ends the wait instead of leaving the thread blocked in `read` until the writer sends more.
    /// - Throws: `FeedError` when reading fails; `PumpStopped` when stopped while waiting.
    private func readChunk(
        _ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer, path: String, stop: StopSignal
    ) throws -> Int {
        var status = stat()
        let waits = fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG
        while true {
            if waits {
                var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let polled = poll(&ready, 1, 250)
                if polled == 0 || (polled < 0 && errno == EINTR) {
                    if stop.isStopped { throw PumpStopped() }
                    continue
                }
            }
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw FeedError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
    }
}
