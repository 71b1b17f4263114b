import Foundation
import Synchronization
import Testing
import VoxTestSupport

/// Incidents end to end: `vox replay` of a four-day feed in which two brands spike in the same hour, with the
/// webhook pointed at a real server on 127.0.0.1. Every alert of that hour belongs to one incident, the terminal
/// prints one line for it, and the webhook receives one message holding all of its alerts.
@Suite struct AlertWebhookTests {
    /// Four days of hourly posts, six per brand per hour, and forty more per brand in hour 80 (day 3, 08:00).
    static func feed() -> String {
        var lines: [String] = []
        let texts = ["%@ store opens at 9 on monday", "thanks %@, great service", "%@ support never answered me"]
        var count = 0
        for hour in 0..<96 {
            let posts = hour == 80 ? 46 : 6
            for index in 0..<posts {
                for brand in ["Acme", "Globex"] {
                    count += 1
                    let second = index * 3600 / posts
                    let time = String(
                        format: "2026-11-%02d T%02d:%02d:%02dZ", 1 + hour / 24, hour % 24, second / 60, second % 60
                    ).replacingOccurrences(of: " ", with: "")
                    let text = String(format: texts[count % texts.count], brand)
                    lines.append(#"{"id":"\#(count)","text":"\#(text)","created_at":"\#(time)","lang":"en"}"#)
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func simultaneousSpikesAreOneIncidentAndOneWebhookMessage() async throws {
        let received = Mutex<[String]>([])
        let server = try LoopbackHTTPServer { request in
            received.withLock { $0.append(String(decoding: request.body, as: UTF8.self)) }
            return TestResponse(status: 204)
        }
        defer { server.stop() }
        let root = try DashboardTests.temporaryFolder()
        try Data(AlertWebhookTests.feed().utf8).write(to: URL(fileURLWithPath: root + "/feed.jsonl"))
        try Data("topics:\n  Acme: 'acme'\n  Globex: 'globex'\n".utf8).write(
            to: URL(fileURLWithPath: root + "/watch.yaml"))
        let replay = try await ProcessRunner.run(
            VoxBinaryTests.binary,
            [
                "replay", root + "/feed.jsonl", "--watch", root + "/watch.yaml", "--out", root + "/out",
                "--alert-webhook", server.baseURL + "/hook",
            ])
        #expect(replay.status == 0, "\(replay.stderr)")
        let alerts = try DashboardTests.jsonLines(root + "/out/alerts.jsonl")
        let topics = Set(alerts.compactMap { $0["topic"] as? String })
        #expect(topics.isSuperset(of: ["Acme", "Globex", "all"]), "\(topics)")
        #expect(
            alerts.allSatisfy {
                $0["incident"] as? Int == 1 && $0["window_start"] as? String == "2026-11-04T08:00:00.000Z"
            })
        let lines = (replay.stdout + replay.stderr).split(separator: "\n").filter { $0.contains("alert: incident") }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("alert: incident 1 in 2026-11-04T08:00:00.000Z:") == true)
        let messages = received.withLock { $0 }
        #expect(messages.count == 1)
        let message = try #require(
            messages.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any])
        #expect(message["incident"] as? Int == 1)
        #expect((message["alerts"] as? [[String: Any]])?.count == alerts.count)
        let run = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/out/run.json")))
                as? [String: Any])
        #expect(run["alerts"] as? Int == alerts.count)
        #expect(run["incidents"] as? Int == 1)
        #expect(run["webhook_sent"] as? Int == 1)
    }
}
