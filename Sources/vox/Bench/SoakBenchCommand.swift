import ArgumentParser
import Foundation
import VoxFeeds
import VoxModel
import VoxStream

/// `vox bench soak`: a long generated feed through the whole pipeline, with peak memory sampled and every post
/// accounted for at the end.
struct SoakBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Replay a generated feed of --posts posts through the pipeline; record memory and check accounting.",
        discussion: """
            The feed (gzip'd X API v2 lines, each text half of one sample tweet and half of another, 0.26 s of event time apart, about 30 days \
            per 10 million posts) holds faults at known places: a bad line every 1,000 lines (malformed JSON, no \
            text, an impossible time, in turn), a repeated post id every 997 posts (with --dedupe on), a post 2 hours \
            late every 1,009 posts, and retweets of earlier posts. It is replayed with watch topics, reposts, \
            emerging terms, alerts and a checkpoint every second, on a small random-weight stand-in model (the \
            pipeline is what is soaked, not the encoder; --model runs a real one). Resident memory is sampled every \
            half second. The run fails unless every count matches the faults planted and peak memory stays under \
            --max-rss-mb.
            Example: vox bench soak --posts 10000000
            """
    )

    @Option(help: "Posts in the generated feed.") var posts = 10_000_000
    @Option(help: "Fail when peak resident memory exceeds this many MiB.") var maxRssMb = 1024
    @Option(help: ArgumentHelp("Keep the feed and outputs here instead of a temporary folder.", valueName: "dir"))
    var keep: String?
    @OptionGroup var classifier: ClassifierOptionGroup

    func validate() throws {
        guard posts >= 100 else { throw ValidationError("--posts must be at least 100") }
        guard maxRssMb > 0 else { throw ValidationError("--max-rss-mb must be positive") }
    }

    /// The faults planted in the feed, counted as it is written.
    struct Planted: Equatable {
        var posts = 0
        var badLines = 0
        var duplicates = 0
        var late = 0
    }

    /// Writes the feed to `path` (one gzip member per 20,000 posts, as rotated logs are) and returns what it planted.
    static func generate(path: String, posts: Int, texts: [String]) throws -> Planted {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw CLIError("cannot create \(path)")
        }
        defer { try? handle.close() }
        let words = texts.map { $0.split(separator: " ").map(String.init) }.filter { !$0.isEmpty }
        guard !words.isEmpty else { throw CLIError("the sample feed holds no words") }
        var planted = Planted()
        var line = 0
        var chunk = ""
        let start: Int64 = 1_795_824_000_000
        func flush() throws {
            let deflater = try GzipDeflater(level: 1)
            try handle.write(contentsOf: deflater.compress(Array(chunk.utf8)) + deflater.finish())
            chunk = ""
        }
        for index in 0..<posts {
            line += 1
            if line % 1000 == 0 {
                let kind = (line / 1000) % 3
                chunk +=
                    kind == 0
                    ? #"{"data":{"id":"broken","text":"#
                    : kind == 1
                        ? #"{"data":{"id":"nt\#(line)","created_at":"2026-11-30T10:00:00Z"}}"#
                        : #"{"data":{"id":"bt\#(line)","text":"x","created_at":"2026-02-30T10:00:00Z"}}"#
                chunk += "\n"
                planted.badLines += 1
                line += 1
            }
            var id = 1_862_000_000_000_000_000 + index
            var millis = start + Int64(index) * 260
            if index % 997 == 996 {
                id -= 5
                planted.duplicates += 1
            } else if index % 1009 == 1008 {
                millis -= 7_200_000
                planted.late += 1
            }
            var text = SoakBenchCommand.text(index, words: words)
            if index % 11 == 3 { text = "RT @fan\(index % 5): " + SoakBenchCommand.text(index - 3, words: words) }
            chunk +=
                #"{"data":{"id":"\#(id)","text":\#(JSONText.quote(text)),"created_at":"\#(Timestamp.format(millis: millis))","author_id":"\#(100_000 + index % 50_000)","lang":"en"}}"#
            chunk += "\n"
            planted.posts += 1
            if index % 20_000 == 19_999 { try flush() }
        }
        try flush()
        return planted
    }

    /// Post `index`'s text: the first half of one sample tweet and the second half of another, the pair drawn
    /// from the index (4 million pairs, so texts rarely repeat and reposts are mostly the planted retweets).
    static func text(_ index: Int, words: [[String]]) -> String {
        var mixed = UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15
        mixed ^= mixed >> 29
        let first = words[Int(mixed % UInt64(words.count))]
        let second = words[Int((mixed >> 32) % UInt64(words.count))]
        return (first.prefix((first.count + 1) / 2) + second.suffix(second.count / 2)).joined(separator: " ")
    }

    func run() async throws {
        let texts = try IngestCorpus.sampleTexts()
        guard !texts.isEmpty else { throw CLIError("the sample feed holds no texts") }
        let folder = keep ?? NSTemporaryDirectory() + "vox-soak-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let progress = FileHandle.standardError
        progress.write(Data("vox: writing a feed of \(posts) posts to \(folder)/feed.jsonl.gz…\n".utf8))
        let planted = try SoakBenchCommand.generate(path: folder + "/feed.jsonl.gz", posts: posts, texts: texts)
        let classifier =
            try self.classifier.model == nil
            ? TextClassifier.standIn(vocabularyFrom: texts) : self.classifier.load()
        var options = PipelineOptions()
        options.output = folder + "/out"
        options.dedupe = true
        options.checkpoint = folder + "/checkpoint"
        let watch = try WatchTopics.parse(
            "topics:\n  Apple: 'apple OR iphone OR ipad'\n  Music: 'album OR concert OR song'\n")
        let feed = Feed(
            sources: [try FeedSource(folder + "/feed.jsonl.gz")],
            options: FeedOptions(registry: try ProfileRegistry.bundled()))
        progress.write(Data("vox: replaying it with \(classifier.tag)…\n".utf8))
        let sampler = MemorySampler()
        let sampling = Task { await sampler.run(every: .milliseconds(500)) }
        let started = DispatchTime.now()
        let stats = try await Pipeline(feed: feed, classifier: classifier, watch: watch, options: options).run()
        let seconds = started.elapsed
        sampling.cancel()
        _ = await sampling.value
        let samples = await sampler.samples
        let peak = MemorySampler.peakKiB() ?? samples.map(\.kib).max() ?? 0
        let checkpointBytes = SoakBenchCommand.size(of: folder + "/checkpoint")

        let expected = (
            windowed: planted.posts - planted.duplicates - planted.late, late: planted.late,
            duplicates: planted.duplicates, dead: planted.badLines
        )
        let found = (
            windowed: stats.windowed, late: stats.late, duplicates: stats.duplicates,
            dead: stats.ingest.deadLetterTotal
        )
        print(
            "\(planted.posts) posts (\(planted.badLines) bad lines, \(planted.duplicates) repeated ids, "
                + "\(planted.late) late) with \(classifier.tag)")
        print(
            String(
                format: "%.0f s, %.0f posts/s; %d windows, %d reposts", seconds, Double(planted.posts) / seconds,
                stats.windows, stats.reposts))
        print("resident memory (MiB) by share of the run's time: " + MemorySampler.profile(samples))
        print(
            String(
                format: "peak resident memory %.0f MiB; checkpoint %.1f MiB", Double(peak) / 1024,
                Double(checkpointBytes) / 1_048_576))
        print(
            "accounting: windowed \(found.windowed) of \(expected.windowed), late \(found.late) of \(expected.late), "
                + "repeated ids \(found.duplicates) of \(expected.duplicates), dead letters \(found.dead) of "
                + "\(expected.dead), balanced \(stats.balanced)")
        guard stats.balanced, stats.ingest.posts == planted.posts, found == expected else {
            throw CLIError("the soak run's accounting does not match the faults planted: \(stats.json)")
        }
        guard peak <= maxRssMb * 1024 else {
            throw CLIError("peak resident memory \(peak / 1024) MiB is over --max-rss-mb \(maxRssMb)")
        }
        print("every post accounted for exactly once")
    }

    /// Bytes of the files under the folder `path` (0 when it cannot be read).
    static func size(of path: String) -> Int {
        guard let names = FileManager.default.subpaths(atPath: path) else { return 0 }
        return names.reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
            return total + ((attributes?[.size] as? NSNumber)?.intValue ?? 0)
        }
    }
}
