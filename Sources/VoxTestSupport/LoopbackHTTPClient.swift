import Foundation

/// A minimal HTTP/1.1 client over a real loopback socket, for tests of Vox's own servers: one request per
/// connection, chunked bodies decoded, and a streaming read that stops once the body holds what the test waits
/// for (Server-Sent Events never end on their own).
public enum LoopbackHTTPClient {
    /// A response: status, headers by lower-cased name, and the decoded body.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]

        /// The body as UTF-8 text.
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends `GET path` to 127.0.0.1:`port` and reads the whole response.
    /// - Throws: `TestServerError` when the connection fails or the response is not HTTP.
    public static func get(port: Int, _ path: String, headers: [(String, String)] = []) throws -> Response {
        try get(port: port, path, headers: headers, timeout: 10) { _ in false }
    }

    /// Sends `GET path` and reads until `done(body so far)` is true, the server closes, or `timeout` seconds pass.
    /// - Throws: `TestServerError` when the connection fails or the response is not HTTP.
    public static func get(
        port: Int, _ path: String, headers: [(String, String)] = [], timeout: Double,
        until done: ([UInt8]) -> Bool
    ) throws -> Response {
        let socket = try connect(port: port, timeout: timeout)
        defer { close(socket) }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            throw TestServerError("send failed: errno \(errno)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        var raw: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while Date() < deadline {
            if let response = try? parse(raw), done(response.body) { return response }
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                throw TestServerError("recv failed: errno \(errno)")
            }
            raw += buffer[0..<count]
        }
        return try parse(raw)
    }

    private static func connect(port: Int, timeout: Double) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestServerError("socket() failed: errno \(errno)") }
        // Short receive timeouts, so a streaming read checks its deadline often.
        var wait = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw TestServerError("cannot connect to 127.0.0.1:\(port): errno \(errno)")
        }
        return socket
    }

    /// Parses what has arrived so far: the head, and as much of the body as is complete.
    private static func parse(_ raw: [UInt8]) throws -> Response {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = raw.firstRange(of: separator) else { throw TestServerError("no complete response head") }
        let head = String(decoding: raw[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"), let status = Int(statusParts[1]) else {
            throw TestServerError("not an HTTP response: \(head.first ?? "")")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let rest = Array(raw[end.upperBound...])
        let chunked = headers["transfer-encoding"]?.lowercased().contains("chunked") == true
        return Response(status: status, headers: headers, body: chunked ? dechunk(rest) : rest)
    }

    /// The complete chunks of a chunked body, joined.
    private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var body: [UInt8] = []
        var index = 0
        let crlf: [UInt8] = [13, 10]
        while let lineEnd = bytes[index...].firstRange(of: crlf) {
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16), size > 0,
                lineEnd.upperBound + size <= bytes.count
            else { break }
            body += bytes[lineEnd.upperBound..<(lineEnd.upperBound + size)]
            index = lineEnd.upperBound + size + 2
            guard index <= bytes.count else { break }
        }
        return body
    }
}
