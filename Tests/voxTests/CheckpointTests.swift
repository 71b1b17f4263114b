import Foundation
import Testing

/// `vox replay --checkpoint` killed with SIGKILL at several moments, then run again to the end, writes exactly
/// what an uninterrupted run writes.
@Suite struct CheckpointTests {
    private func feed(at path: String) throws {
        var lines: [String] = []
        let texts = [
            "Loving this new phone", "Worst airline ever, delayed again", "Great concert last night", "Coffee time",
        ]
        for index in 0..<240 {
            let time = Date(timeIntervalSince1970: 1_795_824_000 + Double(index) * 60 + (index % 7 == 3 ? -150 : 0))
            let formatter = ISO8601DateFormatter()
            lines.append(
                #"{"data":{"id":"\#(index)","text":"\#(texts[index % texts.count]) \#(index)","created_at":"\#(formatter.string(from: time))","lang":"en"}}"#
            )
            if index % 50 == 10 { lines.append("{broken line \(index)") }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func replay(_ arguments: [String], killAfter: Double? = nil) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: VoxBinaryTests.binary)
        process.arguments = ["replay"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let killAfter {
            Thread.sleep(forTimeInterval: killAfter)
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func killedRunsResumeToTheSameOutputs() throws {
        let root = NSTemporaryDirectory() + "vox-checkpoint-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try feed(at: root + "/feed.jsonl")
        let common = [
            root + "/feed.jsonl", "--window", "30m", "--slide", "10m", "--dedupe", "--emit-posts", "--batch", "8",
            "--checkpoint-every", "0ms",
        ]
        #expect(try replay(common + ["--out", root + "/whole", "--checkpoint", root + "/whole-checkpoint"]) == 0)
        // Killed part-way, again and again (paced, so each attempt gets a little further), then run to the end.
        var stops: [Int] = []
        var delay = 2.0
        while stops.count < 3 && delay < 8 {
            _ = try replay(
                common + ["--out", root + "/killed", "--checkpoint", root + "/killed-checkpoint", "--speed", "3000x"],
                killAfter: delay)
            if let data = FileManager.default.contents(atPath: root + "/killed-checkpoint/state.json"),
                let state = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let consumed = (state["consumedLines"] as? [Int])?.first, state["completed"] as? Bool == false,
                consumed > (stops.last ?? 0), consumed < 245
            {
                stops.append(consumed)
            }
            delay += 0.5
        }
        #expect(stops.count >= 2, "killed mid-run after \(stops) lines")
        #expect(try replay(common + ["--out", root + "/killed", "--checkpoint", root + "/killed-checkpoint"]) == 0)
        for file in [
            "windows.csv", "windows.jsonl", "windows-sliding.csv", "examples.jsonl", "posts.jsonl", "dead-letter.jsonl",
        ] {
            let whole = try Data(contentsOf: URL(fileURLWithPath: root + "/whole/" + file))
            #expect(!whole.isEmpty)
            #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/killed/" + file)) == whole, "\(file)")
        }
        let hours = try FileManager.default.contentsOfDirectory(atPath: root + "/whole/hourly").sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/killed/hourly").sorted() == hours)
        for hour in hours {
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: root + "/killed/hourly/" + hour))
                    == Data(contentsOf: URL(fileURLWithPath: root + "/whole/hourly/" + hour)), "\(hour)")
        }
        func counts(_ folder: String) throws -> [String: Int] {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/run.json")))
                    as? [String: Any])
            var result: [String: Int] = [:]
            for key in ["lines", "posts", "skipped", "filtered", "duplicates", "late", "windowed", "windows"] {
                result[key] = object[key] as? Int
            }
            return result
        }
        #expect(try counts(root + "/killed") == counts(root + "/whole"))
        #expect(try counts(root + "/whole")["lines"] == 245)
        // A different configuration is refused.
        #expect(
            try replay([
                root + "/feed.jsonl", "--window", "1h", "--out", root + "/killed", "--checkpoint",
                root + "/killed-checkpoint",
            ]) != 0)
    }
}
