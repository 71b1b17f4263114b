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

        var modelSeconds = Double.infinity
        var pipelineSeconds = Double.infinity
        var servedSeconds = Double.infinity
        for round in 0..<2 {
            let started = DispatchTime.now()
            var start = 0
            while start < all.count {
                _ = await model.classify(Array(all[start..<min(all.count, start + 32)]))
                start += 32
            }
            modelSeconds = min(modelSeconds, started.elapsed)
            pipelineSeconds = min(pipelineSeconds, try await replay(into: folder + "/out\(round)", metrics: nil))

            // The same run with live metrics and the dashboard server following its outputs (as --serve does).
            let registry = PrometheusCollectorRegistry()
            var configuration = DashboardServer.Configuration()
            configuration.port = 0
            let server = try await DashboardServer(
                directory: folder + "/served\(round)", metrics: .live(registry), configuration: configuration
            ).start()
            let served = try await replay(into: folder + "/served\(round)", metrics: registry)
            await server.stop()
            servedSeconds = min(servedSeconds, served)
        }
        let modelRate = Double(posts) / modelSeconds
        let pipelineRate = Double(posts) / pipelineSeconds
        print("\(posts) posts, batch 32, both heads, tokenisation included (best of 2)")
        print(String(format: "model alone (classify)      %7.1f posts/s", modelRate))
        print(String(format: "vox replay (end to end)     %7.1f posts/s", pipelineRate))
        print(String(format: "pipeline overhead           %6.1f%%", (1 - pipelineRate / modelRate) * 100))
        let servedRate = Double(posts) / servedSeconds
        print(String(format: "vox replay --serve          %7.1f posts/s", servedRate))
        print(String(format: "metrics and server overhead %6.1f%%", (1 - servedRate / pipelineRate) * 100))
    }
}
