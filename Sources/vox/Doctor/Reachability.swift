import Foundation

/// Whether a host's port accepts a TCP connection, within a timeout: how `vox doctor` checks an HTTP source before a
/// job depends on it (no request is sent).
enum Reachability {
    /// The milliseconds a connection took, or the reason it failed.
    static func connect(host: String, port: Int, timeout: Double) -> Result<Double, ReachabilityError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>? = nil
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let first = found else {
            return .failure(ReachabilityError("cannot resolve \(host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(first) }
        let started = Date()
        var last = "no address"
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let address = next {
            next = address.pointee.ai_next
            let socket = Glibc.socket(
                address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            guard socket >= 0 else { continue }
            defer { close(socket) }
            _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
            if Glibc.connect(socket, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                return .success(Date().timeIntervalSince(started) * 1000)
            }
            guard errno == EINPROGRESS else {
                last = String(cString: strerror(errno))
                continue
            }
            var poller = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&poller, 1, Int32(timeout * 1000))
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if ready == 1, getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 {
                return .success(Date().timeIntervalSince(started) * 1000)
            }
            last = ready == 0 ? "no answer within \(Int(timeout)) s" : String(cString: strerror(error))
        }
        return .failure(ReachabilityError("\(host):\(port): \(last)"))
    }
}

/// Why a host could not be reached.
struct ReachabilityError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
