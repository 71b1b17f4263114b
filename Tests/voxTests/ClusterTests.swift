import Foundation
import Testing
import VoxCluster
import VoxTestSupport

/// `vox publish` + N × `vox worker` + `vox aggregate`, each a real process on a real `nats-server -js`, write
/// byte-for-byte what `vox replay` writes, and run.json counts the same lines: with one worker; with three, one
/// killed by SIGKILL mid-run and the aggregator killed and restarted from its checkpoint (a tiny reorder buffer,
/// so results are dropped and read again); and on a three-node cluster with one node killed after publishing and
/// restarted during the run.
@Suite(.serialized) struct ClusterTests {
    /// 240 posts over four hours, some out of order, a Portuguese post (filtered by --lang en), a repeated id
    /// (--dedupe) and broken lines (dead letters).
    private static func feed(at path: String) throws {
        var lines: [String] = []
        let texts = [
            "Loving this new phone", "Worst airline ever, delayed again", "Great concert last night", "Coffee time",
            "The match tonight was unbelievable", "Stock prices are falling fast",
        ]
        let formatter = ISO8601DateFormatter()
        for index in 0..<240 {
            let time = Date(timeIntervalSince1970: 1_795_824_000 + Double(index) * 60 + (index % 7 == 3 ? -150 : 0))
            let id = index == 101 ? 100 : index
            let lang = index % 40 == 17 ? "pt" : "en"
            lines.append(
                #"{"data":{"id":"\#(id)","text":"\#(texts[index % texts.count]) \#(index)","created_at":"\#(formatter.string(from: time))","lang":"\#(lang)"}}"#
            )
            if index % 50 == 10 { lines.append("{broken line \(index)") }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The options `replay`, `publish` and `aggregate` share (the model's precision is the workers' and the
    /// aggregator's, not the publisher's).
    private static let filters = ["--window", "30m", "--slide", "10m", "--lang", "en", "--dedupe", "--emit-posts"]
    private static let options = filters + ["--precision", "fp32"]

    /// A `vox` process whose standard error goes to a file.
    private final class Vox: @unchecked Sendable {
        // @unchecked: the process is started here and only waited on or killed afterwards.
        let process = Process()
        let log: String

        init(_ arguments: [String], log: String) throws {
            self.log = log
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: VoxBinaryTests.binary)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            try process.run()
        }

        /// Waits (off the cooperative pool) at most `seconds`, killing it then; returns its exit status.
        func wait(seconds: Double = 180) async throws -> Int32 {
            try await ProcessRunner.offPool {
                let deadline = Date(timeIntervalSinceNow: seconds)
                while self.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
                if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
                self.process.waitUntilExit()
                return self.process.terminationStatus
            }
        }

        /// Asks it to stop, as Ctrl-C does.
        func interrupt() {
            if process.isRunning { kill(process.processIdentifier, SIGINT) }
        }

        func killNow() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
    }

    /// Waits (off the pool) until the aggregator's checkpoint has applied more than `lines` lines.
    private static func waitUntilApplied(_ lines: Int, checkpoint: String, while running: Vox) async throws -> Bool {
        try await ProcessRunner.offPool {
            let deadline = Date(timeIntervalSinceNow: 120)
            while running.process.isRunning && Date() < deadline {
                if let applied = CheckpointTests.consumed(checkpoint), applied > lines { return true }
                Thread.sleep(forTimeInterval: 0.01)
            }
            return false
        }
    }

    /// Waits (off the pool) until run.json in `folder` counts `lines` lines.
    private static func waitUntilLines(_ lines: Int, in folder: String, while running: Vox) async throws -> Bool {
        try await ProcessRunner.offPool {
            let deadline = Date(timeIntervalSinceNow: 120)
            while running.process.isRunning && Date() < deadline {
                if let counts = try? counts(folder), counts["lines"] == lines { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }
    }

    /// Expects `folder` to hold exactly what the replay in `reference` wrote.
    private static func expectSameOutputs(_ folder: String, as reference: String) throws {
        for file in [
            "windows.csv", "windows.jsonl", "windows-sliding.csv", "windows-sliding.jsonl", "examples.jsonl",
            "posts.jsonl", "dead-letter.jsonl", "alerts.jsonl",
        ] {
            let expected = try Data(contentsOf: URL(fileURLWithPath: reference + "/" + file))
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file)) == expected, "\(file)")
        }
        let hours = try FileManager.default.contentsOfDirectory(atPath: reference + "/hourly").sorted()
        #expect(!hours.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/hourly").sorted() == hours)
        for hour in hours {
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: folder + "/hourly/" + hour))
                    == Data(contentsOf: URL(fileURLWithPath: reference + "/hourly/" + hour)), "\(hour)")
        }
        #expect(try counts(folder) == counts(reference))
    }

    private static func counts(_ folder: String) throws -> [String: Int] {
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/run.json")))
                as? [String: Any])
        var result: [String: Int] = [:]
        for key in [
            "lines", "posts", "skipped", "filtered", "duplicates", "late", "classified", "windowed", "windows",
            "alerts",
        ] {
            result[key] = object[key] as? Int
        }
        return result
    }

    /// A temporary folder with the feed and its replay in `replay/`.
    private static func prepare() async throws -> String {
        let root = NSTemporaryDirectory() + "vox-cluster-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try feed(at: root + "/feed.jsonl")
        let replay = try Vox(
            ["replay", root + "/feed.jsonl", "--out", root + "/replay"] + options, log: root + "/r.log")
        #expect(try await replay.wait() == 0, "\(replay.output)")
        let counts = try counts(root + "/replay")
        #expect(counts["lines"] == 245 && counts["filtered"] == 6 && counts["duplicates"] == 1, "\(counts)")
        return root
    }

    @Test func oneWorkerWritesWhatReplayWrites() async throws {
        let server = try NATSServer()
        defer { server.stop() }
        let root = try await Self.prepare()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cluster = ["--nats", server.url, "--stream", "one"]
        let publish = try Vox(["publish", root + "/feed.jsonl"] + cluster + Self.filters, log: root + "/p.log")
        try #require(try await publish.wait() == 0, "\(publish.output)")
        let worker = try Vox(["worker", "--drain", "--precision", "fp32"] + cluster, log: root + "/w.log")
        let aggregate = try Vox(
            ["aggregate", "--out", root + "/cluster"] + cluster + Self.options, log: root + "/a.log")
        #expect(try await aggregate.wait() == 0, "\(aggregate.output)")
        #expect(try await worker.wait() == 0, "\(worker.output)")
        #expect(worker.output.contains("233 posts classified"), "\(worker.output)")
        try Self.expectSameOutputs(root + "/cluster", as: root + "/replay")
        // Publishing the same feed again adds nothing: every message id is already stored.
        let jetStream = try await JetStream.connect(url: server.url)
        let stored = try await jetStream.messageCount(stream: "one")
        // Lines are packed (32 to a message by default): the stream holds every line once, in order.
        let reader = try await jetStream.reader(stream: "one", subject: "vox.one.lines", from: 1)
        let messages = try await reader.fetch(Int(stored), timeout: .seconds(5))
        #expect(UInt64(messages.count) == stored)
        var covered: [Int] = []
        var largest = 0
        for message in messages {
            if case .lines(let source, let line, let entries) = try LineMessage(bytes: message.data) {
                #expect(source == 0)
                let count = entries.reduce(0) { $0 + $1.lines }
                covered += Array(line..<line + count)
                largest = max(largest, entries.count)
            }
        }
        #expect(covered == Array(0..<245), "each of the 245 lines once, in order")
        #expect(largest == LineMessage.defaultPack && stored < 20, "\(stored) messages")
        let again = try Vox(["publish", root + "/feed.jsonl"] + cluster + Self.filters, log: root + "/p2.log")
        #expect(try await again.wait() == 0, "\(again.output)")
        #expect(try await jetStream.messageCount(stream: "one") == stored)
        let last = try #require(try await jetStream.lastMessage(stream: "one", subject: "vox.one.lines"))
        guard case .end(let ends) = try LineMessage(bytes: last) else {
            Issue.record("the stream does not end with the publisher's end")
            return
        }
        #expect(ends.count == 1 && ends[0].error == nil && ends[0].bytes > 0)
    }

    /// A live job: the publisher follows a file that grows while it runs, a worker serves without --drain, the
    /// aggregator runs --live; stopped with SIGINT once every line is applied, each role exits cleanly and the
    /// outputs are the replay's.
    @Test func aLiveJobOnAGrowingFileWritesWhatReplayWrites() async throws {
        let server = try NATSServer()
        defer { server.stop() }
        let root = try await Self.prepare()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lines = try String(contentsOfFile: root + "/feed.jsonl", encoding: .utf8)
            .split(separator: "\n").map { $0 + "\n" }
        try #require(lines.count == 245)
        let live = root + "/live.jsonl"
        try lines[..<120].joined().write(toFile: live, atomically: false, encoding: .utf8)
        let cluster = ["--nats", server.url, "--stream", "live"]
        let publish = try Vox(
            ["publish", live, "--follow", "--poll-interval", "0.1", "--pack", "8"] + cluster + Self.filters,
            log: root + "/p.log")
        let worker = try Vox(["worker", "--precision", "fp32", "--batch", "16"] + cluster, log: root + "/w.log")
        let aggregate = try Vox(
            ["aggregate", "--live", "--out", root + "/cluster"] + cluster + Self.options, log: root + "/a.log")
        try #require(
            try await Self.waitUntilLines(120, in: root + "/cluster", while: aggregate), "\(aggregate.output)")
        // Windows the watermark has passed are out already, while the job runs.
        let early = try String(contentsOfFile: root + "/cluster/windows.jsonl", encoding: .utf8)
        #expect(early.split(separator: "\n").count >= 3, "\(early)")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: live))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines[120...].joined().utf8))
        try handle.close()
        try #require(
            try await Self.waitUntilLines(245, in: root + "/cluster", while: aggregate), "\(aggregate.output)")
        publish.interrupt()
        #expect(try await publish.wait() == 0, "\(publish.output)")
        aggregate.interrupt()
        #expect(try await aggregate.wait() == 0, "\(aggregate.output)")
        worker.interrupt()
        #expect(try await worker.wait() == 0, "\(worker.output)")
        // The replay of the grown file (dead letters name their file).
        let replay = try Vox(["replay", live, "--out", root + "/replay-live"] + Self.options, log: root + "/r2.log")
        #expect(try await replay.wait() == 0, "\(replay.output)")
        try Self.expectSameOutputs(root + "/cluster", as: root + "/replay-live")
    }

    @Test func killedWorkerAndAggregatorStillWriteWhatReplayWrites() async throws {
        let server = try NATSServer()
        defer { server.stop() }
        let root = try await Self.prepare()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cluster = ["--nats", server.url, "--stream", "three"]
        // Four lines to a message, so the workers' batches and the reorder buffer are small.
        let publish = try Vox(
            ["publish", root + "/feed.jsonl", "--pack", "4"] + cluster + Self.filters, log: root + "/p.log")
        try #require(try await publish.wait() == 0, "\(publish.output)")
        let aggregateArguments =
            [
                "aggregate", "--out", root + "/cluster", "--checkpoint", root + "/checkpoint", "--checkpoint-every",
                "0ms",
                "--reorder", "4",
            ] + cluster + Self.options
        let first = try Vox(aggregateArguments, log: root + "/a1.log")
        let workers = try (0..<3).map { index in
            try Vox(
                ["worker", "--drain", "--precision", "fp32", "--batch", "4", "--ack-wait", "1s"] + cluster,
                log: root + "/w\(index).log")
        }
        // One worker dies with whatever it holds; the aggregator dies later, and a new one resumes.
        try #require(
            try await Self.waitUntilApplied(40, checkpoint: root + "/checkpoint", while: first), "\(first.output)")
        workers[0].killNow()
        #expect(try await Self.waitUntilApplied(120, checkpoint: root + "/checkpoint", while: first))
        first.killNow()
        let second = try Vox(aggregateArguments, log: root + "/a2.log")
        #expect(try await second.wait() == 0, "\(second.output)")
        #expect(second.output.contains("resuming from"), "\(second.output)")
        for worker in workers.dropFirst() { #expect(try await worker.wait() == 0, "\(worker.output)") }
        try Self.expectSameOutputs(root + "/cluster", as: root + "/replay")
    }

    @Test
    func aThreeNodeClusterLosingANodeStillWritesWhatReplayWrites() async throws {
        let clients = try (0..<3).map { _ in try NATSServer.freePort() }
        let routes = try (0..<3).map { _ in try NATSServer.freePort() }
        func node(_ index: Int, storage: String? = nil) throws -> NATSServer {
            try NATSServer(
                port: clients[index],
                cluster: .init(name: "vox-test", routePort: routes[index], routes: routes), storage: storage)
        }
        var nodes = try (0..<3).map { try node($0) }
        let storages = nodes.map(\.storage)
        defer {
            for node in nodes { node.stop() }
            for storage in storages { try? FileManager.default.removeItem(atPath: storage) }
        }
        // JetStream needs a meta leader before replicated streams can be made.
        let urls = clients.map { "nats://127.0.0.1:\($0)" }.joined(separator: ",")
        var ready = false
        let deadline = Date(timeIntervalSinceNow: 30)
        while !ready && Date() < deadline {
            do {
                let probe = try await JetStream.connect(url: urls)
                try await probe.addStream(name: "PROBE", subject: "probe.>", replicas: 3)
                ready = true
            } catch {
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        try #require(ready, "the three-node cluster elected no JetStream leader")
        let root = try await Self.prepare()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cluster = ["--nats", urls, "--stream", "replicated", "--replicas", "3"]
        let publish = try Vox(
            ["publish", root + "/feed.jsonl", "--pack", "8"] + cluster + Self.filters, log: root + "/p.log")
        try #require(try await publish.wait() == 0, "\(publish.output)")
        // The node is lost before the consumers start, so the whole run (joining the workers included) meets a
        // cluster that may be electing new leaders; it comes back with its storage when the aggregator has
        // applied some lines (or at once, if the run is already over: a fast machine finishes 240 posts in well
        // under a second, so a kill timed "mid-run" would be a race).
        nodes[1].kill()
        let aggregate = try Vox(
            [
                "aggregate", "--out", root + "/cluster", "--checkpoint", root + "/checkpoint", "--checkpoint-every",
                "0ms",
            ]
                + cluster + Self.options, log: root + "/a.log")
        let workers = try (0..<2).map { index in
            try Vox(
                ["worker", "--drain", "--precision", "fp32", "--batch", "8", "--ack-wait", "2s"] + cluster,
                log: root + "/w\(index).log")
        }
        _ = try await Self.waitUntilApplied(60, checkpoint: root + "/checkpoint", while: aggregate)
        nodes[1] = try node(1, storage: storages[1])
        #expect(try await aggregate.wait() == 0, "\(aggregate.output)")
        for worker in workers { #expect(try await worker.wait() == 0, "\(worker.output)") }
        try Self.expectSameOutputs(root + "/cluster", as: root + "/replay")
    }
}
