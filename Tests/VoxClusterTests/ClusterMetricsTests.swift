import Foundation
import Prometheus
import Testing
import VoxCluster
import VoxDefaultModel
import VoxFeeds
import VoxModel
import VoxStream
import VoxTestSupport

/// Each role's `/metrics` series follow what the role did, in-process against a real `nats-server -js`: the
/// publisher's stored messages, the worker's fetches, results and acknowledgements, the aggregator's applied
/// results, reorder buffer and lag.
@Suite(.serialized) struct ClusterMetricsTests {
    static let classifier: TextClassifier? = {
        let store = ModelStore()
        guard store.hasBaseModel, let directory = BundledModel.standard.directory else { return nil }
        return try? TextClassifier.load(directory: directory, baseDirectory: store.directory())
    }()

    /// The value of the series `name` (no labels) in Prometheus text, or nil when it is absent.
    static func value(_ name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    @Test func eachRoleReportsWhatItDid() async throws {
        let classifier = try #require(Self.classifier, "the default model needs its base encoder: vox model pull")
        let server = try NATSServer()
        defer { server.stop() }
        let folder = NSTemporaryDirectory() + "vox-cluster-metrics-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var lines: [String] = []
        for index in 0..<30 {
            let time = Timestamp.format(millis: 1_795_824_000_000 + Int64(index) * 60_000)
            lines.append(
                #"{"data":{"id":"\#(index)","text":"post number \#(index) is great","created_at":"\#(time)"}}"#)
        }
        lines.insert("{broken", at: 10)
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: folder + "/feed.jsonl", atomically: true, encoding: .utf8)
        let feed = Feed(
            sources: [try FeedSource(folder + "/feed.jsonl")],
            options: FeedOptions(registry: try ProfileRegistry.bundled()))
        let streams = try ClusterStreams("metrics")
        var pipeline = PipelineOptions()
        pipeline.output = folder + "/out"

        let publisherRegistry = PrometheusCollectorRegistry()
        var publisherOptions = Publisher.Options(url: server.url, streams: streams)
        publisherOptions.metrics = PrometheusMetricsFactory(registry: publisherRegistry)
        publisherOptions.pack = 2
        let published = try await Publisher(feed: feed, filterOptions: pipeline, options: publisherOptions).run()
        // start + 31 lines (30 posts, 1 dead letter) two to a message + the source's end + end
        #expect(published.published == 19)
        #expect(Self.value("vox_cluster_messages_published_total", in: publisherRegistry.emitToString()) == 19)

        let workerRegistry = PrometheusCollectorRegistry()
        var workerOptions = Worker.Options(url: server.url, streams: streams)
        workerOptions.metrics = PrometheusMetricsFactory(registry: workerRegistry)
        workerOptions.drain = true
        workerOptions.batch = 8
        let worked = try await Worker(stage: try ClassifyStage(classifier: classifier), options: workerOptions).run()
        let workerText = workerRegistry.emitToString()
        #expect(worked.classified == 30 && worked.acknowledged == 19)
        #expect(Self.value("vox_cluster_messages_fetched_total", in: workerText) == 19)
        #expect(Self.value("vox_cluster_messages_acknowledged_total", in: workerText) == 19)
        #expect(Self.value("vox_cluster_messages_redelivered_total", in: workerText) == 0)
        #expect(Self.value("vox_cluster_posts_classified_total", in: workerText) == 30)
        #expect(Self.value("vox_cluster_results_stored_total", in: workerText) == 30)
        #expect((Self.value("vox_cluster_model_seconds_total", in: workerText) ?? 0) > 0)
        #expect(Self.value("vox_cluster_consumer_pending", in: workerText) != nil)

        let aggregatorRegistry = PrometheusCollectorRegistry()
        pipeline.metrics = PrometheusMetricsFactory(registry: aggregatorRegistry)
        var aggregatorOptions = ClusterAggregator.Options(url: server.url, streams: streams)
        aggregatorOptions.reorderCapacity = 4
        let stats = try await ClusterAggregator(
            model: ModelDescription(classifier), watch: WatchTopics([]), pipeline: pipeline,
            options: aggregatorOptions
        ).run()
        let aggregatorText = aggregatorRegistry.emitToString()
        #expect(stats.windowed == 30)
        #expect(Self.value("vox_cluster_results_applied_total", in: aggregatorText) == 30)
        // A buffer of 4 line messages' results cannot hold a fetch of results: those too far ahead were dropped and
        // read again.
        #expect((Self.value("vox_cluster_results_reread_total", in: aggregatorText) ?? 0) > 0)
        #expect((Self.value("vox_cluster_reorder_buffer_depth", in: aggregatorText) ?? 99) <= 4)
        #expect(Self.value("vox_cluster_lines_behind", in: aggregatorText) != nil)
        // The aggregate stage's own series are the replay's.
        #expect(Self.value("vox_posts_windowed_total", in: aggregatorText) == 30)
    }
}
