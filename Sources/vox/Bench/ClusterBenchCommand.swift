import ArgumentParser
import Foundation
import VoxCluster
import VoxFeeds
import VoxModel
import VoxStream
import VoxTestSupport

/// `vox bench cluster`: a scaled-out job on a local `nats-server` beside `vox replay` of the same feed: throughput
/// with 1 and 2 workers, the messaging cost per post as a share of model time, the aggregator's own ceiling, and
/// what these project for larger clusters.
struct ClusterBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract:
            "Measure publish + workers + aggregate on a local nats-server beside replay: throughput, messaging cost, "
            + "the aggregator's ceiling and projections.",
        discussion: "Example: vox bench cluster --posts 2000 --rounds 3   (needs nats-server, as the tests do)"
    )

    @Option(help: "Posts (the 2,000 sample tweets, repeated, over one day of event time).") var posts = 2000
    @Option(help: "Alternating rounds; medians are reported.") var rounds = 3
    @Option(help: "Posts for the aggregator's ceiling (precomputed results, no model).") var ceilingPosts = 50_000
    @OptionGroup var classifier: ClassifierOptionGroup

    func validate() throws {
        guard posts > 0, rounds > 0, ceilingPosts > 0 else {
            throw ValidationError("--posts, --rounds and --ceiling-posts must be positive")
        }
        guard posts <= 1_000_000, ceilingPosts <= 1_000_000 else {
            throw ValidationError("--posts and --ceiling-posts go up to 1,000,000 (posts over one day)")
        }
    }

    private struct Run {
        var seconds: Double
        var modelSeconds = 0.0
        var messagingSeconds = 0.0
        /// The publisher's time to read, filter and publish the feed (the worker-alone run only).
        var publishSeconds = 0.0
    }

    func run() async throws {
        let folder = NSTemporaryDirectory() + "vox-bench-cluster-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let feedPath = folder + "/feed.jsonl"
        try ClusterBenchCommand.writeFeed(posts: posts, to: feedPath)
        let server = try NATSServer()
        defer { server.stop() }
        let directory = try ClassifierOptionGroup.directory(named: classifier.model)
        let single = try classifier.base.classifier(
            in: directory, threads: 2, precision: classifier.precision.resolve(for:))
        let halves = try (0..<2).map { _ in
            try classifier.base.classifier(in: directory, threads: 1, precision: classifier.precision.resolve(for:))
        }
        _ = await single.classify(["warm up"])
        var replays: [Double] = []
        var clusters: [[Run]] = [[], []]
        var alone: [Run] = []
        var stream = 0
        for round in 0..<rounds {
            replays.append(try await replay(feedPath, model: single, into: folder + "/replay\(round)"))
            stream += 1
            alone.append(try await workerAlone(feedPath, model: single, url: server.url, stream: "bench\(stream)"))
            for (slot, models) in [[single], halves].enumerated() {
                stream += 1
                clusters[slot].append(
                    try await job(
                        feedPath, workers: models, url: server.url, stream: "bench\(stream)",
                        into: folder + "/cluster\(stream)"))
            }
        }
        let ceiling = try await aggregatorCeiling(url: server.url, model: single, folder: folder)
        ClusterBenchCommand.report(
            posts: posts, rounds: rounds, replay: median(replays), clusters: clusters, alone: alone, ceiling: ceiling,
            ceilingPosts: ceilingPosts)
    }

    /// `posts` sample tweets spread evenly over one day of event time.
    static func writeFeed(posts: Int, to path: String) throws {
        let texts = try IngestCorpus.sampleTexts()
        let spacing = 86_400_000 / Int64(posts)
        var lines = ""
        for index in 0..<posts {
            let time = Timestamp.format(millis: 1_795_824_000_000 + Int64(index) * spacing)
            lines +=
                #"{"data":{"id":"\#(index)","text":\#(JSONText.quote(texts[index % texts.count])),"created_at":"\#(time)","lang":"en"}}"#
                + "\n"
        }
        try lines.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func feed(_ path: String) throws -> Feed {
        Feed(sources: [try FeedSource(path)], options: FeedOptions(registry: try ProfileRegistry.bundled()))
    }

    private func replay(_ path: String, model: TextClassifier, into output: String) async throws -> Double {
        var options = PipelineOptions()
        options.output = output
        options.cacheTexts = false  // every round classifies the same feed: the model must run each time
        let started = DispatchTime.now()
        let stats = try await Pipeline(
            feed: try feed(path), classifier: model, watch: WatchTopics([]), options: options
        )
        .run()
        guard stats.windowed == posts else { throw CLIError("the replay lost posts: \(stats.json)") }
        return started.elapsed
    }

    /// Publisher, workers and aggregator at once, in this process; wall time until the aggregator ends.
    private func job(
        _ path: String, workers models: [TextClassifier], url: String, stream: String, into output: String
    ) async throws -> Run {
        let streams = try ClusterStreams(stream)
        var pipeline = PipelineOptions()
        pipeline.output = output
        let started = DispatchTime.now()
        let publisher = Publisher(
            feed: try feed(path), filterOptions: pipeline, options: Publisher.Options(url: url, streams: streams))
        async let published = publisher.run()
        let aggregator = ClusterAggregator(
            model: ModelDescription(models[0]), watch: WatchTopics([]), pipeline: pipeline,
            options: ClusterAggregator.Options(url: url, streams: streams))
        let workerStats = try await withThrowingTaskGroup(of: Worker.Stats.self) { group in
            for model in models {
                var options = Worker.Options(url: url, streams: streams)
                options.drain = true
                let worker = Worker(stage: try ClassifyStage(classifier: model, cached: false), options: options)
                group.addTask { try await worker.run() }
            }
            let stats = try await aggregator.run()
            guard stats.windowed == posts else { throw CLIError("the cluster lost posts: \(stats.json)") }
            return try await group.reduce(into: [Worker.Stats]()) { $0.append($1) }
        }
        let seconds = started.elapsed
        _ = try await published
        return Run(
            seconds: seconds, modelSeconds: workerStats.map(\.modelSeconds).reduce(0, +),
            messagingSeconds: workerStats.map(\.messagingSeconds).reduce(0, +))
    }

    /// One worker draining a stream the publisher filled first, with nothing else running but nats-server: what a
    /// worker on its own machine spends on messaging besides the model.
    private func workerAlone(_ path: String, model: TextClassifier, url: String, stream: String) async throws -> Run {
        let streams = try ClusterStreams(stream)
        let publishing = DispatchTime.now()
        _ = try await Publisher(
            feed: try feed(path), filterOptions: PipelineOptions(),
            options: Publisher.Options(url: url, streams: streams)
        ).run()
        let publishSeconds = publishing.elapsed
        var options = Worker.Options(url: url, streams: streams)
        options.drain = true
        let started = DispatchTime.now()
        let stats = try await Worker(stage: try ClassifyStage(classifier: model, cached: false), options: options).run()
        guard stats.classified == posts else { throw CLIError("the worker classified \(stats.classified) posts") }
        return Run(
            seconds: started.elapsed, modelSeconds: stats.modelSeconds, messagingSeconds: stats.messagingSeconds,
            publishSeconds: publishSeconds)
    }

    /// Results applied per second by the aggregator alone: the line stream and every post's result are stored
    /// first (scores precomputed), then only the aggregator runs.
    private func aggregatorCeiling(url: String, model: TextClassifier, folder: String) async throws -> Double {
        let path = folder + "/ceiling.jsonl"
        try ClusterBenchCommand.writeFeed(posts: ceilingPosts, to: path)
        let streams = try ClusterStreams("ceiling")
        var pipeline = PipelineOptions()
        pipeline.output = folder + "/ceiling-out"
        _ = try await Publisher(
            feed: try feed(path), filterOptions: pipeline, options: Publisher.Options(url: url, streams: streams)
        ).run()
        let jetStream = try await JetStream.connect(url: url)
        let reader = try await jetStream.reader(stream: streams.lines, subject: streams.linesSubject, from: 1)
        let scores = try await ClassifyStage(classifier: model, cached: false).classify(["a neutral post"]).scores[0]
        var found = 0
        while found < ceilingPosts {
            let messages = try await reader.fetch(1000, timeout: .seconds(2))
            guard !messages.isEmpty else { throw CLIError("the ceiling stream ended early") }
            var results: [ResultMessage] = []
            for message in messages {
                guard case .lines(_, _, let entries) = try LineMessage(bytes: message.data) else { continue }
                let posts = entries.count(where: \.isPost)
                results.append(
                    ResultMessage(
                        sequence: message.sequence, model: model.tag, scores: Array(repeating: scores, count: posts)))
                found += posts
            }
            // One results message per 64 posts, as workers with the default --batch store them.
            let perBatch = max(1, 64 / LineMessage.defaultPack)
            let batches = stride(from: 0, to: results.count, by: perBatch).map {
                Array(results[$0..<min($0 + perBatch, results.count)])
            }
            try await jetStream.publish(
                batches.map {
                    .init(subject: streams.resultsSubject, data: ResultMessage.encode($0), id: ResultMessage.id(of: $0))
                })
        }
        let started = DispatchTime.now()
        let stats = try await ClusterAggregator(
            model: ModelDescription(model), watch: WatchTopics([]), pipeline: pipeline,
            options: ClusterAggregator.Options(url: url, streams: streams)
        ).run()
        guard stats.windowed == ceilingPosts else { throw CLIError("the ceiling run lost posts: \(stats.json)") }
        return Double(ceilingPosts) / started.elapsed
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    private static func report(
        posts: Int, rounds: Int, replay: Double, clusters: [[Run]], alone: [Run], ceiling: Double, ceilingPosts: Int
    ) {
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let replayRate = Double(posts) / replay
        print("\(posts) posts, one nats-server on loopback, medians of \(rounds) alternating rounds")
        print(String(format: "vox replay (2 threads)                  %8.1f posts/s", replayRate))
        let perWorker: Double
        let overhead: Double
        for (slot, runs) in clusters.enumerated() {
            let workers = slot + 1
            let rate = Double(posts) / median(runs.map(\.seconds))
            let share = median(runs.map { $0.messagingSeconds / max($0.modelSeconds, 1e-9) })
            print(
                String(
                    format:
                        "publish + %d worker%@ + aggregate         %8.1f posts/s (%.2f× replay), messaging %.1f%% of model time",
                    workers, workers > 1 ? "s" : " ", rate, rate / replayRate, share * 100))
        }
        overhead = median(alone.map { $0.messagingSeconds / max($0.modelSeconds, 1e-9) })
        // A worker's own rate: its posts over its busy time (model + messaging; the drain's final idle wait left out).
        perWorker = Double(posts) / median(alone.map { $0.modelSeconds + $0.messagingSeconds })
        print(
            String(
                format:
                    "one worker alone on a filled stream     %8.1f posts/s, messaging %.1f%% of model time (%.3f ms per post)",
                perWorker, overhead * 100,
                median(alone.map(\.messagingSeconds)) * 1000 / Double(posts)))
        let publishing = median(alone.map(\.publishSeconds))
        print(
            String(
                format:
                    "publisher alone (reads, filters, publishes) %8.0f posts/s (%.3f ms per post, %.1f%% of model time)",
                Double(posts) / publishing, publishing * 1000 / Double(posts),
                publishing / max(median(alone.map(\.modelSeconds)), 1e-9) * 100))
        print(String(format: "aggregator alone (%d precomputed results) %8.0f results/s", ceilingPosts, ceiling))
        print(
            String(
                format: "one aggregator serves up to %.0f workers of this size (ceiling / one worker's posts/s)",
                ceiling / perWorker))
        for workers in [10, 50] {
            let projected = min(Double(workers) * perWorker, ceiling)
            print(
                String(
                    format:
                        "projected, %d workers of this size: %8.0f posts/s (min(N × one worker, aggregator ceiling))",
                    workers, projected))
        }
        print(
            String(
                format:
                    "assumptions: each worker on its own 2-vCPU machine like this one; NATS and the publisher not the "
                    + "bottleneck; messaging %.1f%% of model time per post, as one worker alone measured",
                overhead * 100))
    }
}
