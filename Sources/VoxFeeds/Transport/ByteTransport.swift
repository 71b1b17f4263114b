/// A blocking reader of raw bytes (a file, stdin, an HTTP resource) that runs on a source's own thread
/// and delivers into a `TransportSink`.
protocol ByteTransport: Sendable {
    /// Reads until the source ends (or forever when following), delivering into `sink`.
    /// - Throws: `FeedError` when the source cannot be read; `PumpStopped` when stopped.
    func run(_ sink: any TransportSink) throws
}
