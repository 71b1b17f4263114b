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
        discussion: "Example: vox bench pipeline --posts 4000"
    )

    @Option(help: "Posts (the 2,000 sample tweets, repeated with later timestamps).")
    var posts = 4000
    @Option(help: "Rounds, the order of the three runs reversed every other round; medians are reported.")
    var rounds = 5

    func validate() throws {
        guard posts > 0, rounds > 0 else { throw ValidationError("--posts and --rounds must be positive") }
    }

    @OptionGroup var classifier: ClassifierOptionGroup

    func run() async throws {
        let texts = try IngestCorpus.sampleTexts()
        let folder = NSTemporaryDirectory() + "vox-bench-pipeline-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var lines = ""
        var all: [String] = []
        for index in 0..<posts {
            let text = texts[index % texts.count]
            all.append(text)
            let time = Timestamp.format(millis: 1_795_824_000_000 + Int64(index) * 43_200)
            lines +=
                #"{"data":{"id":"\#(index)","text":\#(JSONText.quote(text)),"created_at":"\#(time)","lang":"en"}}"#
                + "\n"
        }
        try Data(try GzipDeflater.gzip(Array(lines.utf8))).write(to: URL(fileURLWithPath: folder + "/feed.jsonl.gz"))
        let model = try classifier.load()
        _ = await model.classify(Array(all.prefix(64)))

        /// Replays the feed into `output` and returns the wall-clock seconds; every post must be windowed once.
        func replay(into output: String, metrics: PrometheusCollectorRegistry?) async throws -> Double {
            var options = PipelineOptions()
            options.output = output
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
                _ = await model.classify(Array(all[start..<min(all.count, start + 32)]))
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
        for round in 0..<rounds {
            if round % 2 == 0 {
                modelSeconds.append(await modelAlone())
                pipelineSeconds.append(try await replay(into: folder + "/out\(round)", metrics: nil))
                servedSeconds.append(try await served(round))
            } else {
                servedSeconds.append(try await served(round))
                pipelineSeconds.append(try await replay(into: folder + "/out\(round)", metrics: nil))
                modelSeconds.append(await modelAlone())
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
    }
}
