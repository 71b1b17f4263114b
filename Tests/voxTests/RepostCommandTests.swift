import Foundation
import Testing
import VoxTestSupport

/// `vox replay --reposts count|collapse` on a feed of real tweets where about 30% of the posts are retweets: every
/// retweet found, volume the same either way, shares over distinct posts when collapsed, and the accounting exact.
@Suite struct RepostCommandTests {
    private func fixture(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")).path
    }

    /// The feed: the 300 validation tweets over five hours, each third one retweeted by two users a minute later.
    private func feed(at path: String) throws -> Int {
        let texts = try String(contentsOfFile: try fixture("sentiment-val-300.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["text"]
                    as? String ?? ""
            }
        var lines: [String] = []
        var retweets = 0
        let formatter = ISO8601DateFormatter()
        for (index, text) in texts.enumerated() {
            var copies = [text]
            if index % 3 == 0 && text.split(separator: " ").count >= 6 {
                copies += ["RT @fan\(index): \(text)", "RT @fan\(index): \(text)"]
                retweets += 2
            }
            for (copy, body) in copies.enumerated() {
                let time = formatter.string(
                    from: Date(timeIntervalSince1970: 1_795_824_000 + Double(index * 60 + copy)))
                let object: [String: Any] = ["id": "\(index)-\(copy)", "text": body, "created_at": time, "lang": "en"]
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return retweets
    }

    private func objects(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func repostsAreCountedOrCollapsed() async throws {
        let root = NSTemporaryDirectory() + "vox-reposts-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let retweets = try feed(at: root + "/feed.jsonl")
        #expect(retweets > 100)
        var allRows: [String: [[String: Any]]] = [:]
        for mode in ["count", "collapse"] {
            let result = try await ProcessRunner.run(
                VoxBinaryTests.binary,
                ["replay", root + "/feed.jsonl", "--out", root + "/" + mode, "--reposts", mode, "--emit-posts"])
            #expect(result.status == 0, "\(result.stderr)")
            let run = try #require(try objects(root + "/\(mode)/run.json").first)
            let found = try #require(run["reposts"] as? Int)
            #expect(found >= retweets && found <= retweets + 3, "\(found) reposts for \(retweets) retweets")
            let posts = try objects(root + "/\(mode)/posts.jsonl")
            #expect(posts.count { $0["repost"] as? Bool == true } == found)
            let rows = try objects(root + "/\(mode)/windows.jsonl")
            for row in rows {
                let counts = try ["posts", "negative", "neutral", "positive", "abstained", "reposts", "distinct_posts"]
                    .map { try #require(row[$0] as? Int) }
                #expect(counts[6] == counts[0] - counts[5])
                // count: every post in the classes; collapse: the distinct ones only.
                #expect(counts[1] + counts[2] + counts[3] + counts[4] == (mode == "count" ? counts[0] : counts[6]))
            }
            #expect(
                rows.filter { $0["topic"] as? String == "all" }.reduce(0) { $0 + ($1["reposts"] as? Int ?? 0) } == found
            )
            allRows[mode] = rows
        }
        let counted = try #require(allRows["count"])
        let collapsed = try #require(allRows["collapse"])
        #expect(counted.map { $0["posts"] as? Int } == collapsed.map { $0["posts"] as? Int })
        #expect(counted.map { $0["reposts"] as? Int } == collapsed.map { $0["reposts"] as? Int })
        #expect(
            counted.map { $0["negative_share"] as? Double } != collapsed.map { $0["negative_share"] as? Double },
            "collapsing retweets must move some share")
        // The options are part of the checkpoint's configuration and validated.
        let bad = try await ProcessRunner.run(
            VoxBinaryTests.binary, ["replay", root + "/feed.jsonl", "--out", root + "/bad", "--reposts", "drop"])
        #expect(bad.status != 0 && bad.stderr.contains("--reposts"))
    }
}
