import ArgumentParser
import Foundation
import Prometheus
import VoxFeeds
import VoxModel
import VoxServe
import VoxStream

/// `vox bench pipeline`: end-to-end replay throughput against the model alone on the same posts, same run.
struct PipelineBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract:
            "Measure replay posts/s beside classification alone on the same posts: the pipeline's overhead, and "
            + "that of live metrics with the dashboard server.",
        discussion: """
            Every run classifies every post (the identical-text cache off), so the figures are the pipeline's. \
            With --retweets F, a share F of the posts are retweets ("RT @user: …" of an earlier post, each \
            original retweeted by a handful of users with the same text), and a fourth run per round replays \
            them with the cache on: the speed-up of classifying identical texts once.
            Examples: vox bench pipeline --posts 4000; vox bench pipeline --posts 4000 --retweets 0.3
            """
    )

    @Option(help: "Posts (the 2,000 sample tweets, repeated with later timestamps).")
    var posts = 4000
    @Option(help: "Rounds, the order of the runs reversed every other round; medians are reported.")
    var rounds = 5
    @Option(help: "Share of the posts that are retweets of earlier posts (0 to 0.9).")
    var retweets = 0.0

    func validate() throws {
        guard posts > 0, rounds > 0 else { throw ValidationError("--posts and --rounds must be positive") }
        guard (0...0.9).contains(retweets) else { throw ValidationError("--retweets must be between 0 and 0.9") }
    }

    /// The feed's texts: the sample tweets in turn, with a share `retweets` of retweets spread evenly among them
    /// (each of a recent original, by one of a few users: "RT @fanN: text").
    static func texts(posts: Int, sample: [String], retweets: Double) -> [String] {
        var generator = SeededGenerator(seed: 7)
        var texts: [String] = []
        var originals: [String] = []
        var next = 0
        for index in 0..<posts {
            if !originals.isEmpty, Double(index + 1) * retweets >= Double(texts.count - originals.count + 1) {
                let original = originals[max(0, originals.count - 1 - Int.random(in: 0..<20, using: &generator))]
                texts.append("RT @fan\(Int.random(in: 0..<3, using: &generator)): " + original)
            } else {
                let text = sample[next % sample.count]
                next += 1
                originals.append(text)
                texts.append(text)
            }
        }
        return texts
    }

    @OptionGroup var classifier: ClassifierOptionGroup

    func run() async throws {
        let texts = try IngestCorpus.sampleTexts()
        let folder = NSTemporaryDirectory() + "vox-bench-pipeline-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var lines = ""
        let all = PipelineBenchCommand.texts(posts: posts, sample: texts, retweets: retweets)
        for (index, text) in all.enumerated() {
            let time = Timestamp.format(millis: 1_795_824_000_000 + Int64(index) * 43_200)
            lines +=
                #"{"data":{"id":"\#(index)","text":\#(JSONText.quote(text)),"created_at":"\#(time)","lang":"en"}}"#
                + "\n"
        }
        try Data(try GzipDeflater.gzip(Array(lines.utf8))).write(to: URL(fileURLWithPath: folder + "/feed.jsonl.gz"))
        let model = try classifier.load()
        _ = await model.classify(Array(all.prefix(64)), cached: false)

        /// Replays the feed into `output` and returns the wall-clock seconds; every post must be windowed once.
        func replay(
            into output: String, metrics: PrometheusCollectorRegistry?, cached: Bool = false
        ) async throws -> Double {
            var options = PipelineOptions()
            options.output = output
            options.cacheTexts = cached
            // A fresh model per cached run: nothing is remembered from the runs before.
            let model = cached ? try classifier.load() : model
            options.metrics = metrics.map { MetricsSource.makeFactory(registry: $0) }
            let watch = try WatchTopics.parse("topics:\n  Apple: 'apple OR iphone'\n  Music: 'album OR concert'\n")
            let feed = Feed(
                sources: [try FeedSource(folder + "/feed.jsonl.gz")],
                options: FeedOptions(registry: try ProfileRegistry.bundled()))
            let started = DispatchTime.now()
            let stats = try await Pipeline(feed: feed, classifier: model, watch: watch, options: options).run()
            let seconds = started.elapsed
            guard stats.balanced, stats.windowed == posts else {
                throw CLIError("the benchmark run lost posts: \(stats.json)")
            }
            return seconds
        }

        /// The model alone on the same texts, in the pipeline's batches of 32.
        func modelAlone() async -> Double {
            let started = DispatchTime.now()
            var start = 0
            while start < all.count {
                _ = await model.classify(Array(all[start..<min(all.count, start + 32)]), cached: false)
                start += 32
            }
            return started.elapsed
        }
        /// The same replay with live metrics and the dashboard server following its outputs (as --serve does).
        func served(_ round: Int) async throws -> Double {
            let registry = PrometheusCollectorRegistry()
            var configuration = DashboardServer.Configuration()
            configuration.port = 0
            let server = try await DashboardServer(
                directory: folder + "/served\(round)", metrics: .live(registry), configuration: configuration
            ).start()
            let seconds = try await replay(into: folder + "/served\(round)", metrics: registry)
            await server.stop()
            return seconds
        }

        var modelSeconds: [Double] = []
        var pipelineSeconds: [Double] = []
        var servedSeconds: [Double] = []
        var cachedSeconds: [Double] = []
        for round in 0..<rounds {
            func cachedRun() async throws {
                guard retweets > 0 else { return }
                cachedSeconds.append(try await replay(into: folder + "/cached\(round)", metrics: nil, cached: true))
            }
            if round % 2 == 0 {
                modelSeconds.append(await modelAlone())
                pipelineSeconds.append(try await replay(into: folder + "/out\(round)", metrics: nil))
                servedSeconds.append(try await served(round))
                try await cachedRun()
            } else {
                try await cachedRun()
                servedSeconds.append(try await served(round))
                pipelineSeconds.append(try await replay(into: folder + "/out\(round)", metrics: nil))
                modelSeconds.append(await modelAlone())
            }
            if retweets > 0,
                try String(contentsOfFile: folder + "/cached\(round)/windows.csv", encoding: .utf8)
                    != String(contentsOfFile: folder + "/out\(round)/windows.csv", encoding: .utf8)
            {
                throw CLIError("the replay with the identical-text cache wrote other windows than the one without")
            }
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        func range(_ values: [Double]) -> String {
            String(format: "%.1f–%.1f", values.min() ?? 0, values.max() ?? 0)
        }
        // Each round's overhead compares runs made side by side; the medians of those ratios are reported.
        let overheads = zip(modelSeconds, pipelineSeconds).map { (1 - $0 / $1) * 100 }
        let serving = zip(pipelineSeconds, servedSeconds).map { (1 - $0 / $1) * 100 }
        let rate = { (seconds: [Double]) in Double(posts) / median(seconds) }
        print(
            "\(posts) posts, batch 32, both heads, tokenisation included; medians of \(rounds) rounds, the order "
                + "reversed every other round")
        print(String(format: "model alone (classify)      %7.1f posts/s", rate(modelSeconds)))
        print(String(format: "vox replay (end to end)     %7.1f posts/s", rate(pipelineSeconds)))
        print(String(format: "pipeline overhead           %6.1f%%  (rounds: %@)", median(overheads), range(overheads)))
        print(String(format: "vox replay --serve          %7.1f posts/s", rate(servedSeconds)))
        print(
            String(
                format: "metrics and server overhead %6.1f%%  (rounds: %@)", median(serving), range(serving)))
        guard retweets > 0 else { return }
        let speedups = zip(pipelineSeconds, cachedSeconds).map { $0 / $1 }
        let distinct = Set(all).count
        print(
            String(
                format: "with %.0f%% retweets (%d distinct texts of %d): identical-text cache", retweets * 100,
                distinct,
                posts))
        print(String(format: "vox replay, cache on        %7.1f posts/s", rate(cachedSeconds)))
        print(String(format: "speed-up                    %6.2f×  (rounds: %@)", median(speedups), range(speedups)))
        print("windows.csv identical with and without the cache in every round")
    }
}
