import Foundation
import Testing
import VoxTestSupport

/// Emerging terms end to end: `vox replay` on real tweets with an outage burst writes the burst's hashtag to
/// terms.jsonl, `vox report` carries it into Markdown and HTML, `--terms 0` turns terms off, and `vox bench terms`
/// measures on the fixture.
@Suite struct TermsCommandTests {
    private func fixture(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")).path
    }

    /// The 300 validation tweets over six hours; in the last hour every fifth one also carries `#bankdown`.
    private func feed(at path: String) throws {
        let texts = try String(contentsOfFile: try fixture("sentiment-val-300.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["text"]
                    as? String ?? ""
            }
        let formatter = ISO8601DateFormatter()
        let lines = try texts.enumerated().map { index, text in
            let body = index >= 250 && index % 5 == 0 ? text + " #bankdown" : text
            let time = formatter.string(from: Date(timeIntervalSince1970: 1_795_824_000 + Double(index * 72)))
            let object: [String: Any] = ["id": "\(index)", "text": body, "created_at": time, "lang": "en"]
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func aBurstsHashtagReachesTermsReportsAndCanBeTurnedOff() async throws {
        let root = NSTemporaryDirectory() + "vox-terms-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try feed(at: root + "/feed.jsonl")
        let replay = try await ProcessRunner.run(
            VoxBinaryTests.binary, ["replay", root + "/feed.jsonl", "--out", root + "/on"])
        #expect(replay.status == 0, "\(replay.stderr)")
        let terms = try String(contentsOfFile: root + "/on/terms.jsonl", encoding: .utf8)
        #expect(
            terms.contains(
                ##"{"window_start":"2026-11-28T05:00:00.000Z","window_end":"2026-11-28T06:00:00.000Z","topic":"all","term":"#bankdown","count":10,"##
            ), "\(terms)")
        let markdown = try await ProcessRunner.run(
            VoxBinaryTests.binary, ["report", "--in", root + "/on", "--every", "1d", "--format", "md"])
        #expect(markdown.status == 0)
        #expect(markdown.stdout.contains("## Emerging terms"))
        #expect(markdown.stdout.contains("| 2026-11-28T00:00:00.000Z | all | #bankdown | 10 |"), "\(markdown.stdout)")
        let html = try await ProcessRunner.run(
            VoxBinaryTests.binary, ["report", "--in", root + "/on", "--every", "1h", "--format", "html"])
        #expect(html.stdout.contains("<b>#bankdown</b> (10,"))

        let off = try await ProcessRunner.run(
            VoxBinaryTests.binary, ["replay", root + "/feed.jsonl", "--out", root + "/off", "--terms", "0"])
        #expect(off.status == 0)
        #expect(try String(contentsOfFile: root + "/off/terms.jsonl", encoding: .utf8).isEmpty)
        // Turning terms off changes nothing else.
        for file in ["windows.csv", "examples.jsonl"] {
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: root + "/off/" + file))
                    == Data(contentsOf: URL(fileURLWithPath: root + "/on/" + file)), "\(file)")
        }
        let refused = try await ProcessRunner.run(
            VoxBinaryTests.binary, ["replay", root + "/feed.jsonl", "--out", root + "/bad", "--terms-half-life", "0"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--terms-half-life must be between 1 and 10000 windows"))
    }

    @Test func theBenchmarkFindsBurstsInRealTweets() async throws {
        let result = try await ProcessRunner.run(
            VoxBinaryTests.binary,
            [
                "bench", "terms", "--data", try fixture("sentiment-val-300.jsonl"), "--seeds", "3", "--rate", "9",
                "--hours", "30", "--burst", "2,6",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("| 2 (18%) | 0/3 | 0/3 |"), "\(result.stdout)")
        #expect(result.stdout.contains("| 6 (40%) | 3/3 | 3/3 |"), "\(result.stdout)")
        #expect(result.stdout.contains("scored hours"))
    }
}
