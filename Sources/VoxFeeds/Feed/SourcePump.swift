import Foundation

/// What a source's reader thread hands to its parsing stage.
enum PumpEvent: Sendable {
    /// Framed lines.
    case lines(LineBatch)
    /// Something a person should know (a reconnect, a truncated stream).
    case notice(String)
    /// The transport reconnected after a drop or an error status.
    case reconnect
    /// The source ended: the error if it could not be read to its end, and the raw bytes read.
    case end(FeedError?, rawBytes: Int64)
}

/// Where a transport delivers what it reads. Implemented by `SourcePump`; transports never see lines.
protocol TransportSink: AnyObject {
    /// Set when the run is cancelled; transports poll it and sleep on it.
    var stop: StopSignal { get }
    /// Starts a new stream (a file, an HTTP resource).
    func beginStream(origin: String)
    /// Re-reads the current stream from its start, skipping what was already delivered.
    func restartStream()
    /// Delivers raw bytes of the current stream.
    func deliver(_ raw: UnsafeRawBufferPointer) throws
    /// Ends the current stream.
    func endStream() throws
    /// Reports a reconnect.
    func reconnected(_ message: String)
    /// Reports something a person should know.
    func notice(_ message: String)
}

/// Thrown into a transport when the consumer has gone away.
struct PumpStopped: Error {}

/// Runs one source's transport on its own thread (off Swift's cooperative pool, since reads and curl
/// block), decodes and frames what it reads, and hands line batches to the async side with backpressure.
final class SourcePump: TransportSink, @unchecked Sendable {
    // @unchecked: after `start`, every property but `handoff` and `stop` (both thread-safe) is used only
    // by the pump's own thread.
    let handoff: BlockingHandoff<PumpEvent>
    let stop = StopSignal()
    private let maxLineLength: Int
    private var decoder: StreamDecoder?
    private var origin = ""
    private var rawBytes: Int64 = 0

    /// Creates a pump.
    /// - Parameters:
    ///   - maxLineLength: The longest line accepted.
    ///   - capacity: How many batches may wait for the parser.
    init(maxLineLength: Int, capacity: Int = 8) {
        self.maxLineLength = maxLineLength
        self.handoff = BlockingHandoff(capacity: capacity)
    }

    /// Starts reading on a new thread.
    func start(_ transport: any ByteTransport) {
        let thread = Thread { [self] in run(transport) }
        thread.name = "vox-source"
        thread.start()
    }

    /// Stops the pump: a blocked send returns, sleeps wake, curl transfers abort.
    func cancel() {
        stop.stop()
        handoff.cancel()
    }

    private func run(_ transport: any ByteTransport) {
        var failure: FeedError? = nil
        do {
            try transport.run(self)
            try endStream()
        } catch let error as FeedError {
            failure = error
            try? endStream()
        } catch {
            // Stopped: nothing more to hand out.
        }
        _ = handoff.send(.end(failure, rawBytes: rawBytes))
        handoff.finish()
    }

    func beginStream(origin: String) {
        self.origin = origin
        decoder = StreamDecoder(origin: origin, maxLineLength: maxLineLength)
    }

    func restartStream() {
        let committed = decoder?.committed ?? 0
        decoder = StreamDecoder(origin: origin, maxLineLength: maxLineLength, skipDecoded: committed)
    }

    func deliver(_ raw: UnsafeRawBufferPointer) throws {
        guard !stop.isStopped else { throw PumpStopped() }
        rawBytes += Int64(raw.count)
        if decoder == nil { beginStream(origin: origin) }
        try decoder?.feed(raw, emit: send)
        try decoder?.flush(emit: send)
    }

    func endStream() throws {
        guard var current = decoder else { return }
        decoder = nil
        let ending = try current.finish(emit: send)
        if case .truncatedGzip(let offset) = ending {
            notice(
                "\(origin): gzip stream truncated at compressed byte \(offset); every complete line before it was read")
        }
    }

    func reconnected(_ message: String) {
        _ = handoff.send(.reconnect)
        notice(message)
    }

    func notice(_ message: String) {
        _ = handoff.send(.notice(message))
    }

    private func send(_ batch: LineBatch) throws {
        guard handoff.send(.lines(batch)) else { throw PumpStopped() }
    }
}
