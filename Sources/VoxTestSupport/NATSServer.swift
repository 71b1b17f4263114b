import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real `nats-server` with JetStream on a free loopback port and its own temporary storage, for tests; stopped
/// (and its storage removed) by ``stop()`` or when released.
public final class NATSServer: @unchecked Sendable {
    // @unchecked: the process handle is only started here and terminated by `stop`.
    /// The client port on 127.0.0.1.
    public let port: Int
    private let process: Process
    /// The JetStream storage folder.
    public let storage: String
    private let ownsStorage: Bool

    /// `nats://127.0.0.1:PORT`.
    public var url: String { "nats://127.0.0.1:\(port)" }

    /// One node of a NATS cluster on loopback: its cluster name, its route port, and every node's route port.
    public struct ClusterNode: Sendable {
        public var name: String
        public var routePort: Int
        public var routes: [Int]

        public init(name: String, routePort: Int, routes: [Int]) {
            self.name = name
            self.routePort = routePort
            self.routes = routes
        }
    }

    /// Starts the server and waits until it accepts connections.
    /// - Parameters:
    ///   - port: The client port (a free one when nil).
    ///   - cluster: Makes this server a node of a cluster.
    ///   - storage: A storage folder to use (and keep: a restarted node passes its previous one); a fresh
    ///     temporary one, removed by `stop`, when nil.
    /// - Throws: `TestServerError` when `nats-server` is missing or does not come up within ten seconds.
    public init(port: Int? = nil, cluster: ClusterNode? = nil, storage: String? = nil) throws {
        guard
            let executable = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"].first(
                where: FileManager.default.isExecutableFile(atPath:))
        else { throw TestServerError("nats-server is not installed (scripts/setup.sh --test installs it)") }
        self.port = try port ?? NATSServer.freePort()
        ownsStorage = storage == nil
        self.storage =
            storage
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("vox-nats-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: self.storage, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var arguments = ["-a", "127.0.0.1", "-p", String(self.port), "-js", "-sd", self.storage]
        if let cluster {
            arguments += [
                "--name", "n\(cluster.routePort)", "--cluster_name", cluster.name,
                "--cluster", "nats://127.0.0.1:\(cluster.routePort)",
                "--routes", cluster.routes.map { "nats://127.0.0.1:\($0)" }.joined(separator: ","),
            ]
        }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !NATSServer.accepts(self.port) {
            guard Date() < deadline, process.isRunning else {
                stop()
                throw TestServerError("nats-server did not start on 127.0.0.1:\(self.port)")
            }
            usleep(20_000)
        }
    }

    deinit { stop() }

    /// Stops the server and removes its storage.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        if ownsStorage { try? FileManager.default.removeItem(atPath: storage) }
    }

    /// Kills the server at once (SIGKILL), as a crashed node; its storage stays for a restart.
    public func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A free TCP port on 127.0.0.1.
    public static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestServerError("socket() failed: errno \(errno)") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw TestServerError("cannot find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(_ port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
