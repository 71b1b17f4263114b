import Foundation
import Synchronization
import Testing
import VoxDashboards
import VoxTestSupport

@testable import VoxServe

/// The server's endpoints over real HTTP on loopback, answered from a copy of a real run's outputs.
@Suite struct ServerEndpointTests {
    @Test func servesThePageAndItsAssetsWithTheirTypes() async throws {
        let server = try await ServeHarness.start(try ServeHarness.copyOfRun())
        defer { Task { await server.stop() } }
        let page = try await ServeHarness.get(server.port, "/")
        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.headers["content-security-policy"]?.hasPrefix("default-src 'self'; script-src 'self'") == true)
        #expect(page.headers["x-content-type-options"] == "nosniff")
        #expect(page.text.contains(#"<table id="latest-table">"#))
        #expect(page.text.contains(#"<script src="chart.umd.min.js"></script>"#))
        let chart = try await ServeHarness.get(server.port, "/chart.umd.min.js")
        #expect(chart.status == 200)
        #expect(chart.headers["content-type"] == "text/javascript; charset=utf-8")
        #expect(chart.body == DashboardAssets.files["/chart.umd.min.js"]?.bytes)
        #expect(chart.text.hasPrefix("/*!\n * Chart.js v3.9.1"))
        let script = try await ServeHarness.get(server.port, "/dashboard.js")
        #expect(script.text.contains("new EventSource"))
        let missing = try await ServeHarness.get(server.port, "/nothing-here")
        #expect(missing.status == 404)
    }

    @Test func windowsAreFilteredByTimeAndTopic() async throws {
        let folder = try ServeHarness.copyOfRun()
        let server = try await ServeHarness.start(folder)
        defer { Task { await server.stop() } }
        let rows = try ServeHarness.objects(folder + "/windows.jsonl")

        let everything = try await ServeHarness.get(server.port, "/api/windows")
        #expect(everything.status == 200)
        #expect(everything.headers["content-type"] == "application/json")
        #expect(everything.headers["vox-last-event-id"] == "0")
        #expect(try ServeHarness.array(everything).count == rows.count)

        let path = "/api/windows?from=2026-11-28T02:00:00Z&to=2026-11-28T05:00:00Z&topic=Apple,all"
        let filtered = try ServeHarness.array(try await ServeHarness.get(server.port, path))
        let expected = rows.filter { row in
            let start = row["window_start"] as? String ?? ""
            let topic = row["topic"] as? String ?? ""
            return start >= "2026-11-28T02:00:00.000Z" && start < "2026-11-28T05:00:00.000Z"
                && (topic == "Apple" || topic == "all")
        }
        #expect(expected.count == 6)
        #expect(filtered.map { $0["window_start"] as? String } == expected.map { $0["window_start"] as? String })
        #expect(filtered.map { $0["topic"] as? String } == expected.map { $0["topic"] as? String })
        #expect(filtered.map { $0["posts"] as? Int } == expected.map { $0["posts"] as? Int })
        #expect(filtered.map { $0["share_of_voice"] as? Double } == expected.map { $0["share_of_voice"] as? Double })

        let recent = try ServeHarness.array(try await ServeHarness.get(server.port, "/api/windows?windows=2"))
        #expect(recent.count == 26)
        #expect(
            Set(recent.compactMap { $0["window_start"] as? String }) == [
                "2026-11-28T05:00:00.000Z", "2026-11-28T06:00:00.000Z",
            ])
        let last = try ServeHarness.array(try await ServeHarness.get(server.port, "/api/windows?topic=all&limit=2"))
        #expect(last.map { $0["window_start"] as? String } == ["2026-11-28T05:00:00.000Z", "2026-11-28T06:00:00.000Z"])
    }

    @Test func malformedQueriesAreRejectedWithTheReason() async throws {
        let server = try await ServeHarness.start(try ServeHarness.copyOfRun())
        defer { Task { await server.stop() } }
        for (path, reason) in [
            ("/api/windows?from=yesterday", "from must be an ISO-8601 time"),
            ("/api/alerts?to=2026-13-01", "to must be an ISO-8601 time"),
            ("/api/examples?limit=-1", "limit must be a whole number"),
            ("/api/windows?from=2026-11-29&to=2026-11-28", "from must not be later than to"),
            ("/events?after=x", "after must be an event id"),
        ] {
            let response = try await ServeHarness.get(server.port, path)
            #expect(response.status == 400, "\(path)")
            #expect(response.text.contains(reason), "\(path): \(response.text)")
        }
    }

    @Test func alertsExamplesAndTheRunSummary() async throws {
        let folder = try ServeHarness.copyOfRun()
        let server = try await ServeHarness.start(folder)
        defer { Task { await server.stop() } }
        let alerts = try ServeHarness.array(try await ServeHarness.get(server.port, "/api/alerts"))
        #expect(alerts.map { $0["topic"] as? String } == ["Concerts & albums", "all"])
        #expect(alerts.map { $0["kind"] as? String } == ["volume", "negative_share"])
        let late = try ServeHarness.array(
            try await ServeHarness.get(server.port, "/api/alerts?from=2026-11-28T04:00:00Z"))
        #expect(late.count == 1)

        let examples = try ServeHarness.array(
            try await ServeHarness.get(server.port, "/api/examples?topic=all&limit=1"))
        #expect(examples.count == 1)
        let example = try #require(examples.first)
        #expect(example["window_start"] as? String == "2026-11-28T06:00:00.000Z")
        let negative = try #require(example["most_negative"] as? [[String: Any]])
        let probabilities = try #require(negative.first?["probs"] as? [String: Double])
        #expect(
            abs(
                (probabilities["negative"] ?? 0) + (probabilities["neutral"] ?? 0) + (probabilities["positive"] ?? 0)
                    - 1) < 0.001)

        let terms = try ServeHarness.array(
            try await ServeHarness.get(server.port, "/api/terms?topic=sports_%26_gaming"))
        #expect(terms.map { $0["term"] as? String } == ["tomorrow"])
        #expect(terms.first?["count"] as? Int == 10)
        #expect(try ServeHarness.array(try await ServeHarness.get(server.port, "/api/terms?topic=all")).isEmpty)

        let health = try await ServeHarness.get(server.port, "/healthz")
        #expect(health.status == 200)
        #expect(health.text == #"{"status":"ok","windows":91,"alerts":2,"last_event":0,"malformed_lines":0}"# + "\n")

        let run = try await ServeHarness.get(server.port, "/api/run")
        #expect(run.status == 200)
        #expect(run.text == (try String(contentsOfFile: folder + "/run.json", encoding: .utf8)))
    }

    @Test func anEmptyFolderServesEmptyListsAndNoRun() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vox-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let server = try await ServeHarness.start(folder.path)
        defer { Task { await server.stop() } }
        #expect(try await ServeHarness.get(server.port, "/api/windows").text == "[]\n")
        let run = try await ServeHarness.get(server.port, "/api/run")
        #expect(run.status == 404)
        #expect(run.text.contains("no run.json yet"))
        let metrics = try await ServeHarness.get(server.port, "/metrics")
        #expect(metrics.text.contains("vox_run_file_readable 0.0"))
    }

    @Test func aFolderWithOnlyCSVWindowsSaysWhyTheDashboardIsEmpty() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vox-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "window_start,window_end,topic\n".write(
            to: folder.appendingPathComponent("windows.csv"), atomically: true, encoding: .utf8)
        let notices = Notices()
        var configuration = DashboardServer.Configuration()
        configuration.port = 0
        let server = try await DashboardServer(directory: folder.path, configuration: configuration).start {
            notices.append($0)
        }
        await server.stop()
        #expect(notices.all.contains { $0.contains("has windows.csv but no windows.jsonl") })
    }

    @Test func aPortInUseIsAClearError() async throws {
        let first = try await ServeHarness.start(try ServeHarness.copyOfRun())
        defer { Task { await first.stop() } }
        var configuration = DashboardServer.Configuration()
        configuration.port = first.port
        let second = DashboardServer(directory: try ServeHarness.copyOfRun(), configuration: configuration)
        await #expect(throws: ServeError.self) { try await second.start() }
    }
}

/// Notices a server reported, collected from whichever thread reports them.
final class Notices: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
