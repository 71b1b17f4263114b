import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VoxDashboards
import VoxFeeds

/// The dashboard server (Hummingbird): the page and its assets, JSON APIs over a run's outputs, Server-Sent
/// Events of newly closed windows and alerts, and Prometheus metrics.
///
/// | Path | What |
/// |---|---|
/// | `/` | the dashboard page |
/// | `/api/windows?from&to&topic&windows&limit` | window rows (as in `windows.jsonl`), oldest first |
/// | `/api/alerts?from&to&topic&windows&limit` | alerts (as in `alerts.jsonl`) |
/// | `/api/examples?from&to&topic&windows&limit` | most negative and most positive posts per window and topic |
/// | `/api/terms?from&to&topic&windows&limit` | emerging terms per window and topic (as in `terms.jsonl`) |
/// | `/api/run` | the run's `run.json` |
/// | `/events` | Server-Sent Events: `window` and `alert` |
/// | `/metrics` | Prometheus text format |
/// | `/healthz` | liveness: rows and events read so far |
public struct DashboardServer: Sendable {
    /// Where and how the server listens.
    public struct Configuration: Sendable {
        /// The address to bind (default loopback only).
        public var host = "127.0.0.1"
        /// The port; 0 picks a free one (reported to `onStart`).
        public var port = 8080
        /// How often the outputs folder is read again.
        public var refresh: Duration = .milliseconds(500)
        /// How often an `/events` stream looks for new events.
        public var poll: Duration = .milliseconds(200)

        /// The defaults: 127.0.0.1:8080.
        public init() {}
    }

    /// The run's outputs.
    public let outputs: RunOutputs
    /// Where `/metrics` comes from.
    public let metrics: MetricsSource
    /// Where it listens.
    public let configuration: Configuration

    /// A server over the outputs in `directory`.
    public init(directory: String, metrics: MetricsSource = .runFile, configuration: Configuration = .init()) {
        outputs = RunOutputs(directory: directory)
        self.metrics = metrics
        self.configuration = configuration
    }

    /// Serves until the task is cancelled.
    /// - Parameters:
    ///   - onStart: Called with the port once the server listens.
    ///   - notice: Receives problems reading the outputs (the server keeps serving what it has).
    /// - Throws: `ServeError` when the address cannot be bound.
    public func run(
        onStart: @escaping @Sendable (Int) async -> Void = { _ in },
        notice: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws {
        do { try await outputs.refresh() } catch let error as ServeError { notice(error.message) }
        let folder = outputs.directory
        if !FileManager.default.fileExists(atPath: folder + "/windows.jsonl"),
            FileManager.default.fileExists(atPath: folder + "/windows.csv")
        {
            notice(
                "\(folder) has windows.csv but no windows.jsonl, which the dashboard reads: "
                    + "run the job with --format both (the default) or jsonl")
        }
        var logger = Logger(label: "vox.serve")
        // Hummingbird logs the cancellation that stops it as an error; failures that matter are thrown.
        logger.logLevel = .critical
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "vox"),
            onServerRunning: { channel in await onStart(channel.localAddress?.port ?? 0) },
            logger: logger)
        let outputs = outputs
        let refresh = configuration.refresh
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do { try await app.run() } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    throw ServeError("cannot listen on \(configuration.host):\(configuration.port): \(error)")
                }
            }
            group.addTask {
                var reported = ""
                while !Task.isCancelled {
                    try await Task.sleep(for: refresh)
                    do {
                        try await outputs.refresh()
                        reported = ""
                    } catch let error as ServeError where error.message != reported {
                        reported = error.message
                        notice(error.message)
                    } catch is ServeError {}
                }
            }
            // Either task ending (the server failing to start, or cancellation) ends both.
            try await group.next()
            group.cancelAll()
        }
    }

    /// The page loads nothing but its own scripts, style and API: no inline script, no other origin, no framing.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

    /// The routes.
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let outputs = outputs
        let metrics = metrics
        let poll = configuration.poll
        for (path, asset) in DashboardAssets.files {
            router.get(RouterPath(path)) { _, _ in
                var headers = HTTPFields()
                headers[.contentType] = asset.contentType
                headers[.contentSecurityPolicy] = DashboardServer.contentSecurityPolicy
                if let name = HTTPField.Name("X-Content-Type-Options") { headers[name] = "nosniff" }
                return Response(
                    status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
            }
        }
        for file in RunOutputs.File.allCases {
            router.get(RouterPath("/api/\(file.rawValue)")) { request, _ in
                try await DashboardServer.rows(request) { filter in await outputs.rows(file, filter) }
            }
        }
        router.get("/api/run") { _, _ in
            guard let data = await outputs.runJSON else {
                return DashboardServer.error(.notFound, "this folder has no run.json yet")
            }
            return DashboardServer.text(String(decoding: data, as: UTF8.self), type: "application/json")
        }
        router.get("/events") { request, _ in
            let newest = await outputs.lastEventID
            let lastEventID = HTTPField.Name("Last-Event-ID").flatMap { request.headers[$0] }
            do {
                let after = try EventStream.start(
                    lastEventID: lastEventID, after: request.uri.queryParameters.get("after"), newest: newest)
                return EventStream(outputs: outputs, after: after, poll: poll).response
            } catch let error as ServeError {
                return DashboardServer.error(.badRequest, error.message)
            }
        }
        router.get("/healthz") { _, _ in
            let (windows, alerts, lastEvent, malformed) = await outputs.health()
            return DashboardServer.text(
                JSONText.object([
                    ("status", JSONText.quote("ok")), ("windows", String(windows)), ("alerts", String(alerts)),
                    ("last_event", String(lastEvent)), ("malformed_lines", String(malformed)),
                ]) + "\n", type: "application/json")
        }
        router.get("/metrics") { _, _ in
            DashboardServer.text(await metrics.render(outputs: outputs), type: "text/plain; version=0.0.4")
        }
        return router
    }

    /// A JSON array of the rows a request's query asks for; the newest event id at that moment is in the
    /// `Vox-Last-Event-ID` header, so a page can load history and then follow `/events?after=` without a gap.
    private static func rows(
        _ request: Request, _ select: (RowFilter) async -> (rows: [RunOutputs.Row], lastEvent: Int)
    ) async throws -> Response {
        let filter: RowFilter
        do {
            filter = try RowFilter { name in request.uri.queryParameters.get(name) }
        } catch let error as ServeError {
            return DashboardServer.error(.badRequest, error.message)
        }
        let (rows, lastEvent) = await select(filter)
        var response = text("[" + rows.map(\.json).joined(separator: ",\n") + "]\n", type: "application/json")
        if let name = HTTPField.Name("Vox-Last-Event-ID") { response.headers[name] = String(lastEvent) }
        return response
    }

    private static func text(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var response = text(JSONText.object([("error", JSONText.quote(message))]) + "\n", type: "application/json")
        response.status = status
        return response
    }
}
