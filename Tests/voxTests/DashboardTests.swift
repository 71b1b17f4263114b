import Foundation
import Synchronization
import Testing
import VoxTestSupport

/// The dashboard end to end: a real run served by the `vox` binary and rendered by headless Chromium, and a live
/// `vox tail --serve` whose events and metrics follow the pipeline.
@Suite(.serialized) struct DashboardTests {
    /// A `vox` process whose standard output is collected as it runs.
    final class Launched: @unchecked Sendable {
        // @unchecked: `process` is only read after `run()`; the output is behind a mutex.
        let process: Process
        private let output = Output()

        final class Output: Sendable {
            let text = Mutex("")
            func withLock<T>(_ body: (inout String) -> T) -> T { text.withLock { body(&$0) } }
        }

        init(
            _ arguments: [String], executable: String = VoxBinaryTests.binary, environment: [String: String] = [:]
        )
            throws
        {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            self.process = process
            pipe.fileHandleForReading.readabilityHandler = { [output] handle in
                let data = handle.availableData
                output.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
            try process.run()
        }

        /// The port in the first `http://127.0.0.1:PORT/` the process prints, waiting up to `timeout` seconds.
        func port(timeout: Double = 60) async throws -> Int {
            try await ProcessRunner.offPool { try self.waitForPort(timeout: timeout) }
        }

        private func waitForPort(timeout: Double) throws -> Int {
            let deadline = Date(timeIntervalSinceNow: timeout)
            while Date() < deadline {
                let text = output.withLock { $0 }
                if let range = text.range(of: #"http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) {
                    return Int(text[range].dropFirst("http://127.0.0.1:".count).dropLast()) ?? 0
                }
                guard process.isRunning else { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            throw TestServerError("vox printed no address: \(output.withLock { $0 })")
        }

        /// Sends SIGINT and returns the exit status (SIGKILL after `timeout` seconds).
        func interrupt(timeout: Double = 60) async throws -> Int32 {
            try await ProcessRunner.offPool { self.waitAfterInterrupt(timeout: timeout) }
        }

        private func waitAfterInterrupt(timeout: Double) -> Int32 {
            kill(process.processIdentifier, SIGINT)
            let deadline = Date(timeIntervalSinceNow: timeout)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    static func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vox-dash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func jsonLines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// The text of each cell of the table row for `topic` inside the element with `id`.
    static func cells(_ dom: String, table id: String, topic: String) -> [String]? {
        guard let table = dom.range(of: #"id="\#(id)""#),
            let row = dom.range(
                of: #"data-topic="\#(escape(topic, quotes: true))">"#, range: table.upperBound..<dom.endIndex),
            let end = dom.range(of: "</tr>", range: row.upperBound..<dom.endIndex)
        else { return nil }
        let html = String(dom[row.upperBound..<end.lowerBound])
        return html.components(separatedBy: "</td>").dropLast().map { cell in
            unescape(String(cell[(cell.range(of: ">")?.upperBound ?? cell.startIndex)...]))
        }
    }

    static func escape(_ text: String, quotes: Bool = false) -> String {
        var escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        if quotes { escaped = escaped.replacingOccurrences(of: "\"", with: "&quot;") }
        return escaped
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    static func percent(_ text: String) -> Double? { Double(text.replacingOccurrences(of: "%", with: "")) }

    @Test func headlessChromiumRendersTheDataOfADemoRun() async throws {
        let chromium = try HeadlessChromium.executable()
        let root = try DashboardTests.temporaryFolder()
        let replay = try await ProcessRunner.run(
            VoxBinaryTests.binary,
            [
                // One day of posts: alerts against the windows just before, loosely tuned, so the page has some.
                "replay", "--sample", "--out", root + "/run", "--alert-season", "none", "--alert-significance", "0.01",
                "--alert-min-ratio", "1.2", "--alert-min-excess", "3",
            ])
        #expect(replay.status == 0)
        let server = try Launched(["serve", "--in", root + "/run", "--port", "0"])
        let port = try await server.port()
        let url = "http://127.0.0.1:\(port)/?live=0"
        let browser = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--user-data-dir=\(root)/chromium",
            "--window-size=1400,1900", "--virtual-time-budget=10000",
        ]
        let dump = try await ProcessRunner.run(chromium, browser + ["--dump-dom", url], timeout: 120)
        #expect(dump.status == 0)
        let dom = dump.stdout
        #expect(dom.contains(#"<body data-state="ready">"#), "the page did not finish loading")

        // The latest window's rows, as the run wrote them, are in the table as text.
        let rows = try DashboardTests.jsonLines(root + "/run/windows.jsonl")
        let latest = try #require(rows.compactMap { $0["window_start"] as? String }.max())
        let latestRows = rows.filter { $0["window_start"] as? String == latest }
        #expect(latestRows.count == 13)
        for row in latestRows {
            let topic = try #require(row["topic"] as? String)
            let cells = try #require(DashboardTests.cells(dom, table: "latest-table", topic: topic), "row \(topic)")
            #expect(cells.count == 11)
            #expect(cells[9] == String(row["abstained"] as? Int ?? -1), "\(topic) abstained")
            #expect(cells[10] == String(row["reposts"] as? Int ?? -1), "\(topic) reposts")
            #expect(cells[0] == topic)
            #expect(cells[1] == row["topic_kind"] as? String)
            #expect(cells[2] == String(row["posts"] as? Int ?? -1), "\(topic) posts")
            // The negative share's 95% interval, as "share ±half-width" (sampling only: the sample run's model is not
            // adapted, so the centre is the reported share).
            if let low = row["negative_share_low"] as? Double, let high = row["negative_share_high"] as? Double,
                (row["posts"] as? Int ?? 0) > 0
            {
                let parts = cells[4].components(separatedBy: " ±")
                #expect(parts.count == 2, "\(topic) interval: \(cells[4])")
                #expect(
                    abs((DashboardTests.percent(parts[0]) ?? -1) - (row["negative_share"] as? Double ?? -1) * 100)
                        <= 0.051)
                #expect(abs((Double(parts.last ?? "") ?? -1) - (high - low) / 2 * 100) <= 0.051, "\(topic) ±")
            } else {
                #expect(cells[4] == "–")
            }
            for (index, field) in [(3, "negative_share"), (5, "neutral_share"), (6, "positive_share")] {
                let shown = try #require(DashboardTests.percent(cells[index]), "\(topic) \(field): \(cells[index])")
                #expect(abs(shown - (row[field] as? Double ?? -1) * 100) <= 0.051, "\(topic) \(field)")
            }
            if let voice = row["share_of_voice"] as? Double {
                #expect(abs((DashboardTests.percent(cells[8]) ?? -1) - voice * 100) <= 0.051, "\(topic) voice")
            } else {
                #expect(cells[8] == "–")
            }
        }
        // Every alert, and the run's totals.
        let alerts = try DashboardTests.jsonLines(root + "/run/alerts.jsonl")
        #expect(!alerts.isEmpty)
        let alertRows = dom.components(separatedBy: #"id="alerts-table""#).last?.components(separatedBy: "</table>")
            .first?.components(separatedBy: "<tr data-topic=").count
        #expect(alertRows == alerts.count + 1)
        #expect(dom.contains("2,000 posts · 24 windows · \(alerts.count) alerts"))
        // The header names the model with the precision it ran at (`id@version/precision`).
        let summary = try #require(try DashboardTests.jsonLines(root + "/run/run.json").first)
        let model = try #require(summary["model"] as? String)
        #expect(["/fp32", "/bf16", "/int8"].contains { model.hasSuffix($0) }, "\(model)")
        #expect(dom.contains("model \(model)"))
        // The latest window's most negative post, with its probabilities.
        let examples = try DashboardTests.jsonLines(root + "/run/examples.jsonl")
        let allLatest = try #require(
            examples.first { $0["window_start"] as? String == latest && $0["topic"] as? String == "all" })
        let negative = try #require((allLatest["most_negative"] as? [[String: Any]])?.first)
        #expect(dom.contains(DashboardTests.escape(try #require(negative["text"] as? String))))
        let probability = try #require((negative["probs"] as? [String: Double])?["negative"])
        #expect(dom.contains("negative \(Int((probability * 100).rounded()))%"))
        // Watch topics are offered in the topic picker.
        #expect(dom.contains(#"<option value="Concerts &amp; albums">Concerts &amp; albums (watch)</option>"#))

        let screenshot = root + "/dashboard.png"
        let shot = try await ProcessRunner.run(chromium, browser + ["--screenshot=\(screenshot)", url], timeout: 120)
        #expect(shot.status == 0)
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 50_000, "a blank page compresses to a few kilobytes")
        #expect(try await server.interrupt() == 0)
    }

    /// 90 posts, two minutes apart from 2026-11-28T00:00Z: three hourly windows.
    static func writeFeed(_ path: String) throws {
        let formatter = ISO8601DateFormatter()
        let texts = ["Loving this new phone", "Worst airline ever, delayed again", "Great concert", "Coffee time"]
        let lines = (0..<90).map { index in
            let time = Date(timeIntervalSince1970: 1_795_824_000 + Double(index) * 120)
            return
                #"{"data":{"id":"\#(index)","text":"\#(texts[index % 4]) \#(index)","created_at":"\#(formatter.string(from: time))","lang":"en"}}"#
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The number of `window` events in an SSE body.
    static func windowEvents(_ text: String) -> Int { text.components(separatedBy: "event: window\n").count - 1 }

    @Test func aPacedReplayServesAsItRunsAndStaysUpAfterwards() async throws {
        let root = try DashboardTests.temporaryFolder()
        try DashboardTests.writeFeed(root + "/feed.jsonl")
        let replay = try Launched([
            "replay", root + "/feed.jsonl", "--speed", "3600x", "--serve", "0", "--out", root + "/out",
        ])
        let port = try await replay.port()
        let stream = try await ProcessRunner.offPool {
            try LoopbackHTTPClient.get(port: port, "/events?after=0", timeout: 120) { body in
                String(decoding: body, as: UTF8.self).components(separatedBy: #""topic":"all""#).count - 1 >= 3
            }
        }
        #expect(DashboardTests.windowEvents(stream.text) >= 3)
        // The replay has ended (its run.json is final), and the dashboard is still there.
        var run = ""
        let deadline = Date(timeIntervalSinceNow: 60)
        while Date() < deadline && !run.contains(#""windows":3"#) {
            run = try await ProcessRunner.offPool { try LoopbackHTTPClient.get(port: port, "/api/run") }.text
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(run.contains(#""posts":90"#) && run.contains(#""windows":3"#))
        try await Task.sleep(for: .milliseconds(500))
        #expect(replay.process.isRunning)
        let windows = try await ProcessRunner.offPool {
            try LoopbackHTTPClient.get(port: port, "/api/windows?topic=all")
        }
        #expect(windows.status == 200)
        #expect(windows.text.components(separatedBy: "window_start").count - 1 == 3)
        #expect(try await replay.interrupt() == 0)
    }

    @Test func tailServesLiveMetricsAndEventsAndStopsCleanly() async throws {
        let root = try DashboardTests.temporaryFolder()
        try DashboardTests.writeFeed(root + "/feed.jsonl")
        let tail = try Launched([
            "tail", root + "/feed.jsonl", "--serve", "0", "--out", root + "/live", "--idle", "1s", "--window", "1h",
        ])
        let port = try await tail.port()
        // The 90 posts span three hours: every window closes once the quiet feed is idle.
        let stream = try await ProcessRunner.offPool {
            try LoopbackHTTPClient.get(port: port, "/events?after=0", timeout: 120) { body in
                String(decoding: body, as: UTF8.self).components(separatedBy: #""topic":"all""#).count - 1 >= 3
            }
        }
        #expect(stream.text.contains("event: window"))
        #expect(stream.text.contains(#"data: {"window_start":"2026-11-28T02:00:00.000Z""#))

        var metrics = ""
        let deadline = Date(timeIntervalSinceNow: 60)
        while Date() < deadline {
            metrics = try await ProcessRunner.offPool { try LoopbackHTTPClient.get(port: port, "/metrics") }.text
            if metrics.contains("vox_posts_classified_total 90") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(metrics.contains("vox_posts_classified_total 90"))
        #expect(metrics.contains(#"vox_lines_read_total{source="\#(root)/feed.jsonl"} 90"#))
        #expect(metrics.contains("vox_windows_closed_total 3"))
        let batches = metrics.split(separator: "\n").first { $0.hasPrefix("vox_batch_posts_count ") }
        #expect((batches.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0) >= 1)
        #expect(metrics.contains("vox_batch_posts_sum 90.0"))
        #expect(metrics.contains(#"vox_source_lag_seconds{source="\#(root)/feed.jsonl"}"#))

        #expect(try await tail.interrupt() == 0)
        let run = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/live/run.json")))
                as? [String: Any])
        #expect(run["posts"] as? Int == 90)
        #expect(run["windowed"] as? Int == 90)
    }
}
