import Foundation
import Synchronization

/// A small HTTP/1.1 server on 127.0.0.1 for tests and benchmarks: real sockets, real curl on the
/// other end, and a handler that can inject faults (cuts, drips, error statuses, redirects).
///
/// Each connection is served on its own thread and closed after one response.
public final class LoopbackHTTPServer: Sendable {
    /// Decides the response to a request.
    public typealias Handler = @Sendable (TestRequest) -> TestResponse

    /// The port the server listens on.
    public let port: Int
    private let listener: Int32
    private let handler: Handler
    private let state = Mutex<(requests: [TestRequest], stopped: Bool)>(([], false))

    /// Starts a server on a loopback port.
    /// - Parameters:
    ///   - port: The port, or 0 for a free one (a restarted server passes its predecessor's).
    ///   - handler: Decides each response.
    /// - Throws: `TestServerError` when the socket cannot be set up.
    public init(port: Int = 0, handler: @escaping Handler) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestServerError("socket() failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(clamping: port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(socket, 64) == 0 else {
            close(socket)
            throw TestServerError("bind/listen on 127.0.0.1 failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = socket
        self.handler = handler
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// The base URL, `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in order.
    public var requests: [TestRequest] { state.withLock { $0.requests } }

    /// Stops accepting connections.
    public func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        if first {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        guard var request = readRequest(connection) else { return }
        request.index = state.withLock { state in
            state.requests.append(request)
            return state.requests.count - 1
        }
        let response = handler(request)
        var head = "HTTP/1.1 \(response.status) \(TestResponse.reason(response.status))\r\nConnection: close\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        if response.chunked {
            head += "Transfer-Encoding: chunked\r\n\r\n"
        } else {
            head += "Content-Length: \(response.body.count)\r\n\r\n"
        }
        guard send(connection, Array(head.utf8)) else { return }
        let limit = min(response.body.count, response.cutAfter ?? response.body.count)
        let piece = response.dripBytes ?? response.writeChunk
        var sent = 0
        while sent < limit {
            let end = min(limit, sent + piece)
            var bytes = Array(response.body[sent..<end])
            if response.chunked {
                bytes = Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [0x0D, 0x0A]
            }
            guard send(connection, bytes) else { return }
            sent = end
            if response.dripBytes != nil && response.dripDelay > 0 { Thread.sleep(forTimeInterval: response.dripDelay) }
        }
        if response.cutAfter != nil && limit < response.body.count { return }  // cut: close without finishing
        if response.chunked { _ = send(connection, Array("0\r\n\r\n".utf8)) }
        shutdown(connection, Int32(SHUT_WR))
    }

    private func readRequest(_ connection: Int32) -> TestRequest? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !data.containsHeaderEnd {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            data.append(contentsOf: buffer[0..<count])
            if data.count > 64 * 1024 { return nil }
        }
        guard let end = data.headerEnd else { return nil }
        let text = String(decoding: data[..<end], as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        var body = Array(data[(end + 4)...])
        let length = Int(headers["content-length"] ?? "") ?? 0
        while body.count < length {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            body.append(contentsOf: buffer[0..<count])
        }
        var request = TestRequest(
            method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, index: 0)
        request.body = body
        return request
    }

    private func send(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes {
                Glibc.send(connection, $0.baseAddress.map { $0 + offset }, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count <= 0 { return false }
            offset += count
        }
        return true
    }
}

/// A loopback test server or client failed (a socket call, or a response that is not HTTP).
public struct TestServerError: Error, CustomStringConvertible {
    public let description: String
    /// An error saying `message`.
    public init(_ message: String) { description = message }
}

extension [UInt8] {
    fileprivate var containsHeaderEnd: Bool { headerEnd != nil }

    /// Where the blank line that ends the request head starts.
    fileprivate var headerEnd: Int? {
        guard count >= 4 else { return nil }
        for index in 0...(count - 4)
        where self[index] == 0x0D && self[index + 1] == 0x0A && self[index + 2] == 0x0D && self[index + 3] == 0x0A {
            return index
        }
        return nil
    }
}
