/// A request the loopback server received.
public struct TestRequest: Sendable {
    /// The method, such as `GET`.
    public var method: String
    /// The path with its query.
    public var path: String
    /// Headers by lower-cased name.
    public var headers: [String: String]
    /// How many requests the server had received before this one.
    public var index: Int
    /// The request body (for POST).
    public var body: [UInt8] = []

    /// The first byte of a `Range: bytes=N-` header, if any.
    public var rangeStart: Int? {
        guard let range = headers["range"], range.hasPrefix("bytes="), let dash = range.firstIndex(of: "-") else {
            return nil
        }
        return Int(range[range.index(range.startIndex, offsetBy: 6)..<dash])
    }
}

/// What the loopback server sends back, including faults to inject.
public struct TestResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Extra headers, in order.
    public var headers: [(String, String)]
    /// The body.
    public var body: [UInt8]
    /// Send the body with chunked transfer encoding instead of Content-Length.
    public var chunked = false
    /// Close the connection after this many body bytes (a cut mid-transfer).
    public var cutAfter: Int? = nil
    /// Send the body in pieces of this many bytes…
    public var dripBytes: Int? = nil
    /// …pausing this many seconds between pieces.
    public var dripDelay = 0.0
    /// Pieces of at most this many bytes for an ordinary body.
    public var writeChunk = 64 * 1024

    /// Creates a response.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Serves `content` as a static resource, honouring `Range: bytes=N-` with 206 (or 416 past the end).
    /// - Parameters:
    ///   - content: The whole resource.
    ///   - request: The request, for its Range header.
    ///   - honourRange: Whether to honour Range at all (false imitates servers that ignore it).
    ///   - etag: An ETag to send (and to answer `If-None-Match` with 304 when nothing was asked past the end).
    public static func resource(
        _ content: [UInt8], for request: TestRequest, honourRange: Bool = true, etag: String? = nil
    ) -> TestResponse {
        var headers: [(String, String)] = [("Accept-Ranges", honourRange ? "bytes" : "none")]
        if let etag { headers.append(("ETag", etag)) }
        guard honourRange, let start = request.rangeStart else {
            return TestResponse(status: 200, headers: headers, body: content)
        }
        guard start < content.count else {
            return TestResponse(status: 416, headers: headers + [("Content-Range", "bytes */\(content.count)")])
        }
        headers.append(("Content-Range", "bytes \(start)-\(content.count - 1)/\(content.count)"))
        return TestResponse(status: 206, headers: headers, body: Array(content[start...]))
    }

    /// The standard reason phrase for a status.
    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 206: "Partial Content"
        case 302: "Found"
        case 304: "Not Modified"
        case 404: "Not Found"
        case 416: "Range Not Satisfiable"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
