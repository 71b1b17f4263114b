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
                let mark = watermark.value()
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
            }
        }
        try sinks.write(posts: classified, heads: taxonomy)
        try emit(through: watermark.value(fallback: .min), sinks: sinks, stats: &stats)
    }

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
