import ArgumentParser
import CoreMetrics
import Foundation
import Prometheus
import VoxServe
import VoxStream

/// `--serve PORT` and `--serve-host`: the dashboard over a running job's output folder, with live metrics.
struct ServeOptionGroup: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Serve the dashboard, APIs, events and live metrics on this port while running (0: a free one).",
            valueName: "port"))
    var serve: Int? = nil

    @Option(help: ArgumentHelp("The address --serve listens on.", valueName: "address"))
    var serveHost = "127.0.0.1"

    func validate() throws {
        if let serve, !(0...65_535).contains(serve) { throw ValidationError("--serve must be between 0 and 65535") }
    }

    /// With `--serve`, starts the dashboard server over `options.output` and points the pipeline's metrics at its
    /// registry; prints the address. Returns nil without `--serve`.
    /// - Throws: `ValidationError` when the server cannot listen.
    func start(options: inout PipelineOptions) async throws -> RunningServer? {
        guard let serve else { return nil }
        guard options.format != .csv else {
            throw ValidationError("--serve reads the windows from windows.jsonl: use --format both or jsonl")
        }
        try FileManager.default.createDirectory(atPath: options.output, withIntermediateDirectories: true)
        let registry = PrometheusCollectorRegistry()
        options.metrics = MetricsSource.makeFactory(registry: registry)
        var configuration = DashboardServer.Configuration()
        configuration.host = serveHost
        configuration.port = serve
        do {
            let server = try await DashboardServer(
                directory: options.output, metrics: .live(registry), configuration: configuration
            ).start { message in FileHandle.standardError.write(Data("vox: \(message)\n".utf8)) }
            FileHandle.standardOutput.write(Data("vox: dashboard at \(address(server))\n".utf8))
            return server
        } catch let error as ServeError {
            throw ValidationError(error.message)
        }
    }

    /// With `--serve`, starts a metrics-only server (`/metrics`, `/healthz`) for a role without an output folder
    /// (`publish`, `worker`) and returns the factory its metrics go to; prints the address. Nil without `--serve`.
    /// - Throws: `ValidationError` when the server cannot listen.
    func startMetrics() async throws -> (factory: any MetricsFactory, server: RunningServer)? {
        guard let serve else { return nil }
        let registry = PrometheusCollectorRegistry()
        do {
            let server = try await MetricsServer(registry: registry, host: serveHost, port: serve).start()
            FileHandle.standardError.write(Data("vox: metrics at http://\(serveHost):\(server.port)/metrics\n".utf8))
            return (MetricsSource.makeFactory(registry: registry), server)
        } catch let error as ServeError {
            throw ValidationError(error.message)
        }
    }

    /// The dashboard's URL.
    func address(_ server: RunningServer) -> String { "http://\(serveHost):\(server.port)/" }

    /// Keeps serving until SIGINT or SIGTERM, then stops the server.
    func serveUntilInterrupted(_ server: RunningServer) async {
        FileHandle.standardError.write(
            Data("vox: the dashboard stays up at \(address(server)) (Ctrl-C to stop)\n".utf8))
        _ = try? await SignalTrap.cancellingOnSignals {
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
        await server.stop()
    }
}
