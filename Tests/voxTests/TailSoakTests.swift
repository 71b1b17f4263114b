import Foundation
import Synchronization
import Testing
import VoxTestSupport

/// `vox tail` against a loopback server whose feed grows all the time and which, in every cycle, cuts transfers,
/// stalls them, answers 503, and goes down and comes back on the same port: at the end every post is counted
/// exactly once. CI runs it for `VOX_SOAK_SECONDS` (default 30 s, 5 s cycles); the README records a one-hour run
/// (`VOX_SOAK_SECONDS=3600`, 3-minute cycles).
@Suite struct TailSoakTests {
    /// The feed the server serves, growing while the test runs.
    final class GrowingFeed: Sendable {
        let bytes = Mutex<[UInt8]>([])
        let count = Mutex(0)
        static let texts = [
            "Still waiting for my bag, three hours now", "Loving the new album, best concert ever",
            "The app crashed again after the update", "Great service at the airport today, thank you",
            "Nobody answers the phone at customer support", "Just ordered the new phone, cannot wait",
        ]

        /// Appends `posts` posts stamped with the wall clock, as a live feed's are.
        func append(_ posts: Int) {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let lines = count.withLock { count -> String in
                var text = ""
                for _ in 0..<posts {
                    let time = formatter.string(from: Date())
                    text +=
                        #"{"id":"s\#(count)","text":"\#(Self.texts[count % Self.texts.count]) \#(count)","created_at":"\#(time)","lang":"en"}"#
                        + "\n"
                    count += 1
                }
                return text
            }
            bytes.withLock { $0.append(contentsOf: Array(lines.utf8)) }
        }
    }

    /// What the server does in each part of a cycle.
    enum Phase: String, Sendable {
        case normal, cut, stall, unavailable, down

        static func at(_ fraction: Double) -> Phase {
            switch fraction {
            case 0.40..<0.50: .unavailable
            case 0.50..<0.65: .cut
            case 0.65..<0.80: .stall
            case 0.80..<0.90: .down
            default: .normal
            }
        }
    }

    static var seconds: Double { Double(ProcessInfo.processInfo.environment["VOX_SOAK_SECONDS"] ?? "") ?? 30 }

    @Test func tailCountsEveryPostOnceThroughCutsStallsOutagesAndRestarts() async throws {
        let duration = Self.seconds
        let cycle = duration >= 600 ? 180.0 : 5.0
        let stallTimeout = duration >= 600 ? 10 : 1
        let rate = 40
        let root = NSTemporaryDirectory() + "vox-tail-soak-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let feed = GrowingFeed()
        feed.append(rate)
        let faults = Mutex<[String: Int]>([:])
        let faulty = Mutex(true)
        let started = Date()
        let handler: LoopbackHTTPServer.Handler = { request in
            let body = feed.bytes.withLock { $0 }
            var response = TestResponse.resource(body, for: request)
            let elapsed = Date().timeIntervalSince(started)
            let phase =
                faulty.withLock { $0 } ? Phase.at(elapsed.truncatingRemainder(dividingBy: cycle) / cycle) : .normal
            if phase == .unavailable {
                faults.withLock { $0[phase.rawValue, default: 0] += 1 }
                return TestResponse(status: 503, headers: [("Retry-After", "1")])
            }
            guard response.status == 206 || response.status == 200, phase != .normal else { return response }
            faults.withLock { $0[phase.rawValue, default: 0] += 1 }
            switch phase {
            case .cut: response.cutAfter = response.body.count / 2
            case .stall:
                response.cutAfter = min(response.body.count, 64)
                response.dripBytes = 32
                response.dripDelay = Double(stallTimeout) + 2
            default: break
            }
            return response
        }
        // A port below Linux's ephemeral range (32768–60999), so while the server is down no other test's
        // free-port server can take it.
        var server = try Self.serverBelowTheEphemeralRange(handler)
        let port = server.port
        let process = Process()
        process.executableURL = URL(fileURLWithPath: VoxBinaryTests.binary)
        process.arguments = [
            "tail", server.baseURL + "/feed.jsonl", "--profile", "generic", "--out", root + "/out", "--idle", "1s",
            "--poll-interval", "0.5", "--stall-timeout", String(stallTimeout), "--emit-posts", "--log-format", "json",
        ]
        process.standardOutput = FileHandle.nullDevice
        #expect(FileManager.default.createFile(atPath: root + "/tail.log", contents: nil))
        process.standardError = FileHandle(forWritingAtPath: root + "/tail.log")
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // Grow the feed and take the server down and up again on the same port once per cycle, on a thread of its
        // own: the whole suite keeps the cooperative pool busy, and a task sleeping there wakes late and seldom.
        let first = server
        let (restarts, last) = try await ProcessRunner.offPool { () throws -> (Int, LoopbackHTTPServer) in
            var server = first
            var restarts = 0
            var down = false
            while Date().timeIntervalSince(started) < duration {
                Thread.sleep(forTimeInterval: 0.25)
                feed.append(rate / 4)
                let elapsed = Date().timeIntervalSince(started)
                let phase = Phase.at(elapsed.truncatingRemainder(dividingBy: cycle) / cycle)
                if phase == .down && !down {
                    server.stop()
                    down = true
                } else if phase != .down && down {
                    server = try LoopbackHTTPServer(port: port, handler: handler)
                    down = false
                    restarts += 1
                }
            }
            if down { server = try LoopbackHTTPServer(port: port, handler: handler) }
            return (restarts, server)
        }
        server = last
        faulty.withLock { $0 = false }
        let total = feed.count.withLock { $0 }

        // Every post arrives once the faults stop; then a graceful stop.
        let deadline = Date(timeIntervalSinceNow: 180)
        while Date() < deadline, Self.posts(root + "/out/run.json") != total {
            try await Task.sleep(for: .milliseconds(200))
        }
        process.terminate()
        try await ProcessRunner.offPool { process.waitUntilExit() }
        server.stop()
        let log = (try? String(contentsOfFile: root + "/tail.log", encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "\(log.suffix(4000))")

        let run = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/out/run.json")))
                as? [String: Any])
        #expect(run["posts"] as? Int == total, "\(log.suffix(4000))")
        #expect(run["windowed"] as? Int == total)
        #expect((run["dead_letters"] as? [String: Int])?.isEmpty == true)
        let source = try #require((run["sources"] as? [[String: Any]])?.first)
        let seen = faults.withLock { $0 }
        let cuts = (seen["cut"] ?? 0) + (seen["stall"] ?? 0)
        #expect(cuts > 0 && (seen["unavailable"] ?? 0) > 0 && restarts > 0, "faults: \(seen), restarts \(restarts)")
        #expect((source["reconnects"] as? Int ?? 0) >= cuts, "every cut and stall is a reconnect: \(source)")
        let posts = try String(contentsOfFile: root + "/out/posts.jsonl", encoding: .utf8).split(separator: "\n")
        let ids = try posts.map {
            try #require((try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String)
        }
        #expect(ids.count == total && Set(ids) == Set((0..<total).map { "s\($0)" }), "every post once")
        print(
            "soak: \(total) posts in \(Int(duration)) s; faults \(seen.sorted { $0.key < $1.key }), \(restarts) "
                + "restarts, \(source["reconnects"] ?? 0) reconnects; every post counted once")
    }

    private static func serverBelowTheEphemeralRange(
        _ handler: @escaping LoopbackHTTPServer.Handler
    ) throws
        -> LoopbackHTTPServer
    {
        let start = 20_000 + Int(getpid() % 5_000) * 2
        for port in stride(from: start, to: 32_000, by: 1) {
            if let server = try? LoopbackHTTPServer(port: port, handler: handler) { return server }
        }
        throw TestServerError("no free loopback port between \(start) and 32000")
    }

    private static func posts(_ path: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: path),
            let run = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return run["posts"] as? Int
    }
}
