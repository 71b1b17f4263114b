import Foundation
import VoxFeeds
import VoxModel

/// The model stage: filters posts, classifies each micro-batch (both heads in one encoder pass), matches watch
/// topics, feeds the event-time windows in arrival order, and keeps the run's accounting, so that everything a
/// checkpoint records describes exactly the posts processed so far.
struct ModelStage {
    private let pipeline: Pipeline
    private var watermark: Watermark
    private var tumbling: WindowAggregator
    private var sliding: WindowAggregator?
    private var filter: PostFilter
    private var detector: AlertDetector
    /// Alerts raised since the pipeline last collected them (for the terminal).
    var raisedAlerts: [Alert] = []
    private let sentimentHead: Int?
    private let topicHead: Int?
    private let taxonomy: [String]
    private let live: Bool
    private let idle: Int64
    private let lateness: Int64
    private var lastPost: [Int64]
    private var consumedLines: [Int]
    private var newestEvent: Int64 = .min
    private var newestBySource: [Int64]
    /// Model batches since the pipeline last collected them: posts and nanoseconds (for the metrics).
    var batches: [(posts: Int, nanoseconds: Int64)] = []
    private var recent: [(Int64, Int)] = []
    /// The checkpoint this run resumes from, if any.
    var resumeFrom: PipelineCheckpoint?

    init(pipeline: Pipeline, sources: Int) {
        self.pipeline = pipeline
        let heads = pipeline.classifier.artifact.heads
        sentimentHead = heads.firstIndex { $0.name == "sentiment" }
        topicHead = heads.firstIndex { $0.name == "topic" }
        let labels = topicHead.map { heads[$0].labels } ?? []
        taxonomy = labels
        let options = pipeline.options
        let model = pipeline.classifier.tag
        let watchNames = pipeline.watch.topics.map(\.name)
        watermark = Watermark(sources: sources, lateness: options.lateness)
        let domain = pipeline.classifier.artifact.domain
        tumbling = WindowAggregator(
            size: options.window, taxonomy: labels, watch: watchNames, model: model, domain: domain)
        sliding = options.slide.map {
            WindowAggregator(
                size: options.window, slide: $0, taxonomy: labels, watch: watchNames, model: model, domain: domain)
        }
        filter = PostFilter(options: options)
        detector = AlertDetector(options: options.alerts)
        live = options.live
        idle = options.idle
        lateness = options.lateness
        lastPost = Array(repeating: ModelStage.wallClock(), count: sources)
        consumedLines = Array(repeating: 0, count: sources)
        newestBySource = Array(repeating: .min, count: sources)
    }

    /// Restores the state of a checkpoint and returns the accounting it recorded.
    mutating func restore(_ saved: PipelineCheckpoint, into stats: PipelineStats) -> PipelineStats {
        watermark = saved.watermark
        tumbling = saved.tumbling
        sliding = saved.sliding
        filter = saved.filter
        detector = saved.alerts
        consumedLines = saved.consumedLines
        var restored = stats
        restored.ingest.sources = saved.sources
        restored.filtered = saved.filtered
        restored.duplicates = saved.duplicates
        restored.late = saved.late
        restored.classified = saved.classified
        restored.windowed = saved.windowed
        restored.windows = saved.windows
        restored.alerts = saved.alertCount
        return restored
    }

    /// The current state as a checkpoint.
    func checkpoint(_ stats: PipelineStats, sinks: OutputSinks, completed: Bool) throws -> PipelineCheckpoint {
        PipelineCheckpoint(
            configuration: pipeline.configuration, completed: completed, consumedLines: consumedLines,
            sources: stats.ingest.sources,
            filtered: stats.filtered, duplicates: stats.duplicates, late: stats.late, classified: stats.classified,
            windowed: stats.windowed, windows: stats.windows, watermark: watermark, tumbling: tumbling,
            sliding: sliding,
            filter: filter, alerts: detector, alertCount: stats.alerts, outputs: try sinks.state())
    }

    /// Processes one micro-batch: posts, batch ends, source ends and ticks, in order.
    mutating func process(_ chunk: [Pipeline.Item], sinks: OutputSinks, stats: inout PipelineStats) async throws {
        var kept: [Post] = []
        var verdicts: [PostFilter.Verdict] = []
        for item in chunk {
            guard case .post(let post, let source) = item else { continue }
            stats.ingest.sources[source].posts += 1
            stats.ingest.sources[source].lines += 1
            consumedLines[source] += 1
            let verdict = filter.check(post)
            verdicts.append(verdict)
            switch verdict {
            case .keep: kept.append(post)
            case .filtered: stats.filtered += 1
            case .duplicate: stats.duplicates += 1
            }
        }
        let clock = ContinuousClock()
        let started = clock.now
        let predictions = kept.isEmpty ? [] : await pipeline.classifier.classify(kept.map(\.text))
        if !kept.isEmpty {
            let elapsed = (clock.now - started).components
            let nanoseconds = elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000
            if pipeline.options.metrics != nil { batches.append((kept.count, nanoseconds)) }
            stats.modelSeconds += Double(nanoseconds) / 1e9
        }
        stats.classified += kept.count
        var classified: [ClassifiedPost] = []
        var nextVerdict = 0
        var nextPrediction = 0
        for item in chunk {
            switch item {
            case .post(let post, let source):
                let verdict = verdicts[nextVerdict]
                nextVerdict += 1
                guard verdict == .keep else { continue }
                let prediction = predictions[nextPrediction]
                nextPrediction += 1
                let sentiment = sentimentHead.map { prediction.probabilities[$0] } ?? [0, 1, 0]
                let topics = topicHead.map { prediction.probabilities[$0] } ?? []
                let classifiedPost = ClassifiedPost(
                    post: post, sourceIndex: source, sentiment: sentiment, topics: topics,
                    watch: pipeline.watch.matches(post.text))
                classified.append(classifiedPost)
                let mark = watermark.value(fallback: live ? ModelStage.wallClock() - lateness : .max)
                lastPost[source] = ModelStage.wallClock()
                newestEvent = max(newestEvent, post.createdAt)
                newestBySource[source] = max(newestBySource[source], post.createdAt)
                if tumbling.isLate(post.createdAt, watermark: mark) {
                    stats.late += 1
                } else {
                    tumbling.add(classifiedPost, watermark: mark)
                    stats.windowed += 1
                }
                sliding?.add(classifiedPost, watermark: mark)
                watermark.observe(post.createdAt, source: source)
            case .rejected(let source, let skipped, let deadLetters):
                consumedLines[source] += skipped + deadLetters.count
                stats.ingest.sources[source].lines += skipped + deadLetters.count
                stats.ingest.sources[source].skipped += skipped
                for letter in deadLetters { stats.ingest.sources[source].deadLetters[letter.reason, default: 0] += 1 }
                try sinks.write(deadLetters: deadLetters)
            case .finished(let source):
                watermark.release(source: source)
            case .reconnected(let source):
                stats.ingest.sources[source].reconnects += 1
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
        recent.append((now, kept.count))
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
            format: "%.0f posts/s, lag %@, %d posts, %d open windows, %d windows closed, %d late", rate, lag,
            stats.classified,
            tumbling.openCount, stats.windows, stats.late)
    }

    /// Per source, how far its newest post trails the wall clock, in seconds (nil before its first post).
    func sourceLag() -> [Double?] {
        let now = ModelStage.wallClock()
        return newestBySource.map { $0 == .min ? nil : Double(now - $0) / 1000 }
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
        let alerts = closed.flatMap { detector.observe($0.records) }
        stats.alerts += alerts.count
        raisedAlerts += alerts
        try sinks.write(alerts: alerts)
        if var sliding {
            try sinks.write(sliding: sliding.close(through: mark))
            self.sliding = sliding
        }
    }
}
