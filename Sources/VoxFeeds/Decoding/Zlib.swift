import CZlib

/// Incremental gzip decompression over zlib that also handles concatenated gzip members
/// (as `cat a.gz b.gz` makes).
///
/// Owned by one thread at a time; feed it compressed bytes in any chunking and it hands out
/// decompressed bytes as they become available. zlib's state lives inside, so a transfer that
/// resumes after a reconnect simply keeps feeding the same inflater.
public final class GzipInflater {
    private var stream = z_stream()
    private var output: UnsafeMutablePointer<UInt8>
    private let outputCapacity: Int
    private var initialized = false
    private var atMemberBoundary = true
    /// Compressed bytes consumed so far.
    public private(set) var consumed: Int64 = 0

    /// Creates an inflater.
    /// - Parameter outputChunk: The size of the decompressed chunks it hands out.
    /// - Throws: `FeedError` when zlib cannot allocate its state.
    public init(outputChunk: Int = 256 * 1024) throws(FeedError) {
        outputCapacity = outputChunk
        output = .allocate(capacity: outputChunk)
        // 15 window bits + 16: expect a gzip header and trailer.
        let status = CZlib_inflateInit2(&stream, 15 + 16)
        guard status == Z_OK else {
            output.deallocate()
            throw FeedError(.compression, "zlib could not start an inflater (status \(status))")
        }
        initialized = true
    }

    deinit {
        if initialized { inflateEnd(&stream) }
        output.deallocate()
    }

    /// Whether a gzip member has begun and not yet ended: true after a cut in the middle of a member.
    public var isMidMember: Bool { !atMemberBoundary }

    /// Decompresses `input`, calling `emit` with each decompressed chunk.
    /// - Parameters:
    ///   - input: Compressed bytes, continuing where the previous call stopped.
    ///   - emit: Receives decompressed bytes; the buffer is only valid during the call.
    /// - Throws: `FeedError` (kind `.compression`) with the compressed byte offset of corrupt data,
    ///   or whatever `emit` throws.
    public func inflate(
        _ input: UnsafeRawBufferPointer,
        emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard let base = input.baseAddress, input.count > 0 else { return }
        var remaining = input.count
        var next = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        while remaining > 0 {
            if atMemberBoundary {
                inflateReset(&stream)
                atMemberBoundary = false
            }
            stream.next_in = next
            stream.avail_in = UInt32(remaining)
            var status: Int32 = Z_OK
            repeat {
                let inBefore = stream.avail_in
                stream.next_out = output
                stream.avail_out = UInt32(outputCapacity)
                status = CZlib.inflate(&stream, Z_NO_FLUSH)
                let produced = outputCapacity - Int(stream.avail_out)
                if produced > 0 {
                    try emit(UnsafeRawBufferPointer(start: output, count: produced))
                }
                if status == Z_STREAM_END {
                    atMemberBoundary = true
                    break
                }
                if status != Z_OK && status != Z_BUF_ERROR {
                    let offset = consumed + Int64(remaining - Int(stream.avail_in))
                    let reason = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw FeedError(.compression, "corrupt gzip data at compressed byte \(offset): \(reason)")
                }
                if produced == 0 && stream.avail_in == inBefore { break }
            } while stream.avail_in > 0 || stream.avail_out == 0
            let used = remaining - Int(stream.avail_in)
            consumed += Int64(used)
            next += used
            remaining -= used
            if !atMemberBoundary && remaining == 0 { break }
            if !atMemberBoundary && used == 0 { break }
        }
    }
}

/// Streaming gzip compression, used to write `.gz` feeds (benchmarks, fixtures, test servers).
public final class GzipDeflater {
    private var stream = z_stream()
    private var output: UnsafeMutablePointer<UInt8>
    private let outputCapacity = 256 * 1024
    private var initialized = false

    /// Creates a deflater producing one gzip member.
    /// - Parameter level: zlib compression level, 1 (fast) to 9 (small).
    /// - Throws: `FeedError` when zlib cannot allocate its state.
    public init(level: Int32 = 6) throws(FeedError) {
        output = .allocate(capacity: outputCapacity)
        let status = CZlib_deflateInit2(&stream, level, 15 + 16)
        guard status == Z_OK else {
            output.deallocate()
            throw FeedError(.compression, "zlib could not start a deflater (status \(status))")
        }
        initialized = true
    }

    deinit {
        if initialized { deflateEnd(&stream) }
        output.deallocate()
    }

    /// Compresses `input` and returns the compressed bytes produced so far.
    public func compress(_ input: [UInt8]) -> [UInt8] { run(input, flush: Z_NO_FLUSH) }

    /// Ends the gzip member and returns the remaining compressed bytes.
    public func finish() -> [UInt8] { run([], flush: Z_FINISH) }

    /// Compresses a whole buffer into one gzip member.
    /// - Parameters:
    ///   - bytes: The data.
    ///   - level: zlib compression level.
    /// - Returns: The gzip member.
    public static func gzip(_ bytes: [UInt8], level: Int32 = 6) throws(FeedError) -> [UInt8] {
        let deflater = try GzipDeflater(level: level)
        return deflater.compress(bytes) + deflater.finish()
    }

    private func run(_ input: [UInt8], flush: Int32) -> [UInt8] {
        var result: [UInt8] = []
        input.withUnsafeBufferPointer { buffer in
            stream.next_in = UnsafeMutablePointer(mutating: buffer.baseAddress)
            stream.avail_in = UInt32(buffer.count)
            repeat {
                stream.next_out = output
                stream.avail_out = UInt32(outputCapacity)
                let status = deflate(&stream, flush)
                result.append(
                    contentsOf: UnsafeBufferPointer(start: output, count: outputCapacity - Int(stream.avail_out)))
                if status == Z_STREAM_END || status == Z_STREAM_ERROR { break }
            } while stream.avail_out == 0 || stream.avail_in > 0 || (flush == Z_FINISH)
        }
        return result
    }
}
