import Foundation
import Testing
import VoxTestSupport

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
            // From the third hour on, an outage: its words emerge (terms.jsonl).
            let text = index >= 150 && index % 3 == 0 ? "Bank app outage #bankdown" : texts[index % texts.count]
            lines.append(
                #"{"data":{"id":"\#(index)","text":"\#(text) \#(index)","created_at":"\#(formatter.string(from: time))","lang":"en"}}"#
            )
            if index % 50 == 10 { lines.append("{broken line \(index)") }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func replay(
        _ arguments: [String], killWhenPast lines: Int? = nil, checkpoint: String? = nil
    ) async throws -> Int32 {
        try await ProcessRunner.offPool { try CheckpointTests.replayBlocking(arguments, lines, checkpoint) }
    }

    private static func replayBlocking(_ arguments: [String], _ lines: Int?, _ checkpoint: String?) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: VoxBinaryTests.binary)
        process.arguments = ["replay"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let lines, let checkpoint {
            // Kill as soon as the checkpoint shows the run got past `lines` (whatever the machine's speed).
            let deadline = Date(timeIntervalSinceNow: 60)
            while process.isRunning && Date() < deadline {
                if let consumed = CheckpointTests.consumed(checkpoint), consumed > lines {
                    kill(process.processIdentifier, SIGKILL)
                    break
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Lines the checkpoint in `folder` has consumed, if it holds an unfinished run's state.
    static func consumed(_ folder: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: folder + "/state.json"),
            let state = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            state["completed"] as? Bool == false
        else { return nil }
        return (state["consumedLines"] as? [Int])?.first
    }

    @Test func killedRunsResumeToTheSameOutputs() async throws {
        let root = NSTemporaryDirectory() + "vox-checkpoint-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try feed(at: root + "/feed.jsonl")
        let common = [
            root + "/feed.jsonl", "--window", "30m", "--slide", "10m", "--dedupe", "--emit-posts", "--batch", "8",
            "--checkpoint-every", "0ms",
        ]
        #expect(try await replay(common + ["--out", root + "/whole", "--checkpoint", root + "/whole-checkpoint"]) == 0)
        // Killed part-way three times (each time once the run has got further), then run to the end.
        var stops: [Int] = []
        for target in [30, 90, 160] {
            _ = try await replay(
                common + ["--out", root + "/killed", "--checkpoint", root + "/killed-checkpoint", "--speed", "3000x"],
                killWhenPast: target, checkpoint: root + "/killed-checkpoint")
            if let consumed = CheckpointTests.consumed(root + "/killed-checkpoint"), consumed > (stops.last ?? 0),
                consumed < 245
            {
                stops.append(consumed)
            }
        }
        #expect(stops.count >= 2, "killed mid-run after \(stops) lines")
        #expect(
            try await replay(common + ["--out", root + "/killed", "--checkpoint", root + "/killed-checkpoint"]) == 0)
        for file in [
            "windows.csv", "windows.jsonl", "windows-sliding.csv", "examples.jsonl", "posts.jsonl", "dead-letter.jsonl",
            "terms.jsonl",
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
            try await replay([
                root + "/feed.jsonl", "--window", "1h", "--out", root + "/killed", "--checkpoint",
                root + "/killed-checkpoint",
            ]) != 0)
    }
}
