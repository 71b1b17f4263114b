import Foundation
import VoxFeeds
import VoxModel

/// The model stage: classifies each micro-batch (both heads in one encoder pass), matches watch topics,
/// and feeds the event-time windows in arrival order.
struct ModelStage {
    private let pipeline: Pipeline
    private var watermark: Watermark
    private var tumbling: WindowAggregator
    private var sliding: WindowAggregator?
    private let sentimentHead: Int?
    private let topicHead: Int?
    private let taxonomy: [String]
    private let live: Bool
    private let idle: Int64
    private let lateness: Int64
    private var lastPost: [Int64]
    private var newestEvent: Int64 = .min
    private var recent: [(Int64, Int)] = []

    init(pipeline: Pipeline, sources: Int) {
        self.pipeline = pipeline
        let heads = pipeline.classifier.artifact.heads
        sentimentHead = heads.firstIndex { $0.name == "sentiment" }
        topicHead = heads.firstIndex { $0.name == "topic" }
        taxonomy = topicHead.map { heads[$0].labels } ?? []
        let options = pipeline.options
        let model = pipeline.classifier.artifact.label
        let watchNames = pipeline.watch.topics.map(\.name)
        watermark = Watermark(sources: sources, lateness: options.lateness)
        live = options.live
        idle = options.idle
        lateness = options.lateness
        lastPost = Array(repeating: ModelStage.wallClock(), count: sources)
        tumbling = WindowAggregator(size: options.window, taxonomy: taxonomy, watch: watchNames, model: model)
        sliding = options.slide.map {
            WindowAggregator(size: options.window, slide: $0, taxonomy: taxonomy, watch: watchNames, model: model)
        }
    }

    /// Processes one micro-batch: posts and source ends, in order.
    mutating func process(_ chunk: [Pipeline.Item], sinks: OutputSinks, stats: inout PipelineStats) async throws {
        var posts: [(Post, Int)] = []
        for item in chunk { if case .post(let post, let source) = item { posts.append((post, source)) } }
        let predictions = posts.isEmpty ? [] : await pipeline.classifier.classify(posts.map(\.0.text))
        stats.classified += posts.count
        var classified: [ClassifiedPost] = []
        var next = 0
        for item in chunk {
            switch item {
            case .post(let post, let source):
                let prediction = predictions[next]
                next += 1
                let sentiment = sentimentHead.map { prediction.probabilities[$0] } ?? [0, 1, 0]
                let topics = topicHead.map { prediction.probabilities[$0] } ?? []
                let classifiedPost = ClassifiedPost(
                    post: post, sourceIndex: source, sentiment: sentiment, topics: topics,
                    watch: pipeline.watch.matches(post.text))
                classified.append(classifiedPost)
                let mark = watermark.value(fallback: live ? ModelStage.wallClock() - lateness : .max)
                lastPost[source] = ModelStage.wallClock()
                newestEvent = max(newestEvent, post.createdAt)
                if tumbling.isLate(post.createdAt, watermark: mark) {
                    stats.late += 1
                } else {
                    tumbling.add(classifiedPost, watermark: mark)
                    stats.windowed += 1
                }
                sliding?.add(classifiedPost, watermark: mark)
                watermark.observe(post.createdAt, source: source)
            case .finished(let source):
                watermark.release(source: source)
            case .tick:
                let now = ModelStage.wallClock()
                for source in lastPost.indices where now - lastPost[source] >= idle {
                    watermark.release(source: source)
                }
            case .end:
                break
            }
        }
        try sinks.write(posts: classified, heads: taxonomy)
        let now = ModelStage.wallClock()
        recent.append((now, posts.count))
        recent.removeAll { now - $0.0 > 10_000 }
        try emit(through: watermark.value(fallback: live ? now - lateness : .min), sinks: sinks, stats: &stats)
    }

    /// A one-line status: throughput, lag behind event time, open windows, closed windows.
    func status(_ stats: PipelineStats) -> String {
        let now = ModelStage.wallClock()
        let span = max(1, now - (recent.first?.0 ?? now))
        let rate = Double(recent.reduce(0) { $0 + $1.1 }) * 1000 / Double(span)
        let lag = newestEvent == .min ? "–" : String(format: "%.0f s", Double(now - newestEvent) / 1000)
        return String(
            format: "%.0f posts/s, lag %@, %d posts, %d open windows, %d windows closed, %d late",
            rate, lag, stats.classified, tumbling.openCount, stats.windows, stats.late)
    }

    /// Milliseconds since the Unix epoch, wall clock.
    static func wallClock() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Closes every remaining window (the end of a replay).
    mutating func finish(sinks: OutputSinks, stats: inout PipelineStats) throws {
        try emit(through: .max, sinks: sinks, stats: &stats)
    }

    private mutating func emit(through mark: Int64, sinks: OutputSinks, stats: inout PipelineStats) throws {
        let closed = tumbling.close(through: mark)
        stats.windows += closed.count
        try sinks.write(tumbling: closed)
        if var sliding {
            try sinks.write(sliding: sliding.close(through: mark))
            self.sliding = sliding
        }
    }
}
