import Foundation

/// Reads an HTTP(S) feed with resumption: a dropped transfer is retried with exponential backoff and
/// jitter (honouring `Retry-After` on 429 and 503) and resumed with a `Range` request from the last
/// byte received, so the gzip inflater and line framer simply continue. A server that ignores `Range`
/// is read again from the start while what was already delivered is skipped. With `follow`, an ended
/// resource is polled for growth (`Range: bytes=N-`, `If-None-Match`).
struct HTTPTransport: ByteTransport {
    /// The URL to read.
    let url: String
    /// The URL as shown to people (credentials masked).
    let displayName: String
    /// Whether to poll for growth after the resource ends, and never give up on errors.
    let follow: Bool
    /// Seconds between polls when following.
    let pollInterval: Double
    /// Timeouts, retries, headers.
    let options: HTTPOptions

    func run(_ sink: any TransportSink) throws {
        let request = try CurlRequest()
        var delivered: Int64 = 0
        // The most bytes of the resource ever handed on: a transfer made progress only when it passed this (a
        // server that ignores Range re-sends what was delivered, which is not progress).
        var highWater: Int64 = 0
        var etag: String? = nil
        var failures = 0
        var generator = SystemRandomNumberGenerator()
        let baseHeaders = try requestHeaders()
        sink.beginStream(origin: displayName)

        while true {
            if sink.stop.isStopped { throw PumpStopped() }
            var headers = baseHeaders
            if delivered > 0 { headers.append("Range: bytes=\(delivered)-") }
            if let etag, delivered > 0 { headers.append("If-None-Match: \(etag)") }
            var skip: Int64 = 0
            var accepted = false
            var progressed = false
            var sinkError: (any Error)? = nil
            var fatal: FeedError? = nil

            let outcome = request.get(
                url, headers: headers, options: options,
                onHead: { head in
                    guard (200..<300).contains(head.status) else { return true }  // an error status's body is discarded
                    accepted = true
                    if head.status == 206, let start = HTTPTransport.rangeStart(head.headers["content-range"]) {
                        if start == delivered { return true }
                        if start > delivered {
                            fatal = FeedError(
                                .http,
                                "\(displayName): the server resumed at byte \(start), past the \(delivered) bytes received"
                            )
                            return false
                        }
                        skip = delivered - start
                    } else if delivered > 0 {
                        // The server ignored Range: read again from the start and skip what was delivered.
                        sink.restartStream()
                        sink.notice(
                            "\(displayName): the server does not resume ranges; reading again from the start and skipping what was already read"
                        )
                        delivered = 0
                    }
                    return true
                },
                onBody: { bytes in
                    guard !sink.stop.isStopped else { return false }
                    guard accepted else { return true }
                    var chunk = bytes
                    if skip > 0 {
                        let drop = Int(min(Int64(chunk.count), skip))
                        skip -= Int64(drop)
                        chunk = UnsafeRawBufferPointer(rebasing: chunk[drop...])
                    }
                    guard !chunk.isEmpty else { return true }
                    do {
                        try sink.deliver(chunk)
                    } catch {
                        sinkError = error
                        return false
                    }
                    delivered += Int64(chunk.count)
                    if delivered > highWater {
                        highWater = delivered
                        progressed = true
                    }
                    return true
                },
                shouldAbort: { sink.stop.isStopped })

            if let sinkError { throw sinkError }
            if let fatal { throw fatal }
            if progressed { failures = 0 }

            switch outcome {
            case .aborted:
                throw PumpStopped()
            case .completed(let head) where (200..<300).contains(head.status):
                if let tag = head.headers["etag"] { etag = tag }
                guard follow else { return }
                if sink.stop.sleep(seconds: pollInterval) { throw PumpStopped() }
            case .completed(let head) where head.status == 416 || head.status == 304:
                // Nothing past what we have: the resource ended exactly where our last transfer stopped.
                guard follow else { return }
                if sink.stop.sleep(seconds: pollInterval) { throw PumpStopped() }
            case .completed(let head):
                failures += 1
                try handleStatus(head, failures: failures, sink: sink, generator: &generator)
            case .failed(let head, let message):
                failures += 1
                if !follow && failures > options.maxRetries {
                    throw FeedError(.http, "\(displayName): \(message) (gave up after \(options.maxRetries) retries)")
                }
                let delay = backoff(failures, generator: &generator)
                sink.reconnected(
                    "\(displayName): \(message)\(head.status > 0 ? " (HTTP \(head.status))" : ""); reconnecting from byte \(delivered) in \(String(format: "%.1f", delay)) s"
                )
                if sink.stop.sleep(seconds: delay) { throw PumpStopped() }
            }
        }
    }

    private func handleStatus(
        _ head: CurlRequest.Head, failures: Int, sink: any TransportSink, generator: inout SystemRandomNumberGenerator
    ) throws {
        let status = head.status
        let retryable = status == 408 || status == 429 || status >= 500
        guard retryable else {
            throw FeedError(.http, "\(displayName): the server answered HTTP \(status)", httpStatus: status)
        }
        if !follow && failures > options.maxRetries {
            throw FeedError(
                .http,
                "\(displayName): the server answered HTTP \(status) (gave up after \(options.maxRetries) retries)",
                httpStatus: status)
        }
        var delay = backoff(failures, generator: &generator)
        if let retryAfter = HTTPTransport.retryAfter(head.headers["retry-after"]) {
            delay = min(retryAfter, options.maxBackoff)
        }
        sink.reconnected("\(displayName): HTTP \(status); retrying in \(String(format: "%.1f", delay)) s")
        if sink.stop.sleep(seconds: delay) { throw PumpStopped() }
    }

    private func backoff(_ failures: Int, generator: inout SystemRandomNumberGenerator) -> Double {
        let ceiling = min(options.maxBackoff, options.initialBackoff * pow(2, Double(min(failures - 1, 30))))
        return ceiling * Double.random(in: 0.5...1.0, using: &generator)
    }

    private func requestHeaders() throws(FeedError) -> [String] {
        var headers = ["Accept-Encoding: gzip"] + options.headers
        if let variable = options.authEnvironmentVariable {
            guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
                throw FeedError(.usage, "the environment variable \(variable) named by --auth-env is not set")
            }
            // A line break would start another header (or a request); the value itself is never printed.
            guard !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw FeedError(
                    .usage, "the environment variable \(variable) named by --auth-env holds a line break or NUL")
            }
            let hasScheme = value.split(separator: " ").count > 1
            headers.append("Authorization: " + (hasScheme ? value : "Bearer " + value))
        }
        return headers
    }

    /// The first byte position of a `Content-Range: bytes START-END/TOTAL` header.
    static func rangeStart(_ header: String?) -> Int64? {
        guard let header, let bytes = header.split(separator: " ").last,
            let dash = bytes.firstIndex(of: "-")
        else { return nil }
        return Int64(bytes[..<dash])
    }

    /// Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date).
    static func retryAfter(_ header: String?) -> Double? {
        guard let header else { return nil }
        if let seconds = Double(header.trimmingCharacters(in: .whitespaces)) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: header).map { max(0, $0.timeIntervalSinceNow) }
    }
}
