import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// A metrics-only server for the roles that have no output folder to show (`vox publish --serve`, `vox worker
/// --serve`): `/metrics` in Prometheus' text format and `/healthz`.
public struct MetricsServer: Sendable {
    /// The registry the role's metrics factory writes to.
    public let registry: PrometheusCollectorRegistry
    /// The address to bind.
    public let host: String
    /// The port; 0 picks a free one.
    public let port: Int

    /// A server of `registry` on `host:port`.
    public init(registry: PrometheusCollectorRegistry, host: String = "127.0.0.1", port: Int) {
        self.registry = registry
        self.host = host
        self.port = port
    }

    /// Starts serving in the background and returns once the server listens.
    /// - Throws: `ServeError` when the address cannot be bound.
    public func start() async throws -> RunningServer {
        let (registry, host, port) = (registry, host, port)
        return try await RunningServer.launch { onStart in
            let router = Router()
            router.get("/metrics") { _, _ in
                MetricsServer.text(registry.emitToString(), type: "text/plain; version=0.0.4")
            }
            router.get("/healthz") { _, _ in
                MetricsServer.text(#"{"status":"ok"}"# + "\n", type: "application/json")
            }
            var logger = Logger(label: "vox.metrics")
            logger.logLevel = .critical
            let app = Application(
                router: router, configuration: .init(address: .hostname(host, port: port), serverName: "vox"),
                onServerRunning: { channel in onStart(channel.localAddress?.port ?? 0) }, logger: logger)
            do {
                try await app.run()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw ServeError("cannot listen on \(host):\(port): \(error)")
            }
        }
    }

    private static func text(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
