import Foundation
import VoxFeeds
import VoxModel

/// The aggregate stage: takes the classify stage's outcomes in line order, matches watch topics, feeds the
/// event-time windows and alerts, writes the sinks, and keeps the run's accounting, so that everything a
/// checkpoint records describes exactly the lines applied so far.
struct AggregateStage {
    private let watch: WatchTopics
    private let taxonomy: [String]
    private var watermark: Watermark
    private var tumbling: WindowAggregator
    private var sliding: WindowAggregator?
    private var detector: AlertDetector
    private var reposts: RepostDetector
    private var terms: TermTracker
    private let repostMode: ClassifiedPost.Repost
    /// Alerts raised since they were last collected (for the terminal and the webhook).
    var raisedAlerts: [Alert] = []
    private let live: Bool
    private let idle: Int64
    private let lateness: Int64
    private var lastPost: [Int64]
    /// Lines applied per source (a resumed feed skips this many).
    private(set) var consumedLines: [Int]
    private var newestEvent: Int64 = .min
    private var newestBySource: [Int64]
    private var recent: [(Int64, Int)] = []

    init(model: ModelDescription, watch: WatchTopics, options: PipelineOptions, sources: Int) {
        self.watch = watch
        taxonomy = model.taxonomy
        let watchNames = watch.topics.map(\.name)
        watermark = Watermark(sources: sources, lateness: options.lateness)
        tumbling = WindowAggregator(
            size: options.window, taxonomy: model.taxonomy, watch: watchNames, model: model.tag, domain: model.domain)
        sliding = options.slide.map {
            WindowAggregator(
                size: options.window, slide: $0, taxonomy: model.taxonomy, watch: watchNames, model: model.tag,
                domain: model.domain)
        }
        detector = AlertDetector(options: options.alerts)
        reposts = RepostDetector(horizon: options.repostHorizon)
        terms = TermTracker(size: options.window, topics: ["all"] + model.taxonomy + watchNames, options: options.terms)
        repostMode = options.reposts
        live = options.live
        idle = options.idle
        lateness = options.lateness
        lastPost = Array(repeating: AggregateStage.wallClock(), count: sources)
        consumedLines = Array(repeating: 0, count: sources)
        newestBySource = Array(repeating: .min, count: sources)
    }

    /// Restores the state of a checkpoint and returns the accounting it recorded.
    mutating func restore(_ saved: PipelineCheckpoint, into stats: PipelineStats) -> PipelineStats {
        watermark = saved.watermark
        tumbling = saved.tumbling
        sliding = saved.sliding
        detector = saved.alerts
        reposts = saved.repostDetector ?? reposts
        terms = saved.terms ?? terms
        consumedLines = saved.consumedLines
        var restored = stats
        restored.ingest.sources = saved.sources
        restored.filtered = saved.filtered
        restored.duplicates = saved.duplicates
        restored.late = saved.late
        restored.classified = saved.classified
        restored.abstained = [:]
        for (name, count) in saved.abstained ?? [:] {
            if let reason = AbstainReason(rawValue: name) { restored.abstained[reason] = count }
        }
        restored.windowed = saved.windowed
        restored.reposts = saved.reposts ?? 0
        restored.windows = saved.windows
        restored.alerts = saved.alertCount
        restored.incidents = detector.incidentCount
        return restored
    }

    /// The current state as a checkpoint of `configuration`.
    func checkpoint(
        configuration: String, _ stats: PipelineStats, sinks: OutputSinks, completed: Bool
    ) throws -> PipelineCheckpoint {
        PipelineCheckpoint(
            configuration: configuration, completed: completed, consumedLines: consumedLines,
            sources: stats.ingest.sources,
            filtered: stats.filtered, duplicates: stats.duplicates, late: stats.late, classified: stats.classified,
            abstained: Dictionary(uniqueKeysWithValues: stats.abstained.map { ($0.key.rawValue, $0.value) }),
            windowed: stats.windowed, reposts: stats.reposts, windows: stats.windows, watermark: watermark,
            tumbling: tumbling, sliding: sliding, filter: nil, alerts: detector, repostDetector: reposts,
            terms: terms, alertCount: stats.alerts, outputs: try sinks.state())
    }

    /// Applies outcomes in order, then closes the windows the watermark has passed.
    mutating func process(_ inputs: [StageInput], sinks: OutputSinks, stats: inout PipelineStats) throws {
        var classified: [ClassifiedPost] = []
        var posts = 0
        for input in inputs {
            switch input {
            case .classified(let post, let source, let sentiment, let topics):
                // Probabilities become fixed-point sums: anything but a number in [0, 1] is refused here, whether
                // a model or a results message produced it.
                guard areProbabilities(sentiment, topics) else {
                    throw WatchError(
                        "post \(post.id) of \(post.source) has scores that are not probabilities (sentiment "
                            + "\(sentiment), \(topics.count) topic scores for \(taxonomy.count) topics)")
                }
                count(post: source, stats: &stats)
                stats.classified += 1
                posts += 1
                var classifiedPost = ClassifiedPost(
                    post: post, sourceIndex: source, sentiment: sentiment, topics: topics,
                    watch: watch.matches(post.text))
                markRepost(&classifiedPost)
                classified.append(classifiedPost)
                window(classifiedPost, source: source, stats: &stats)
            case .abstained(let post, let source, let reason, let sentiment, let topics):
                // An uncertain post's probabilities are refused like any; the others carry none.
                guard (sentiment.isEmpty && topics.isEmpty) || areProbabilities(sentiment, topics) else {
                    throw WatchError("post \(post.id) of \(post.source) has scores that are not probabilities")
                }
                count(post: source, stats: &stats)
                stats.abstained[reason, default: 0] += 1
                posts += 1
                var abstainedPost = ClassifiedPost(
                    post: post, sourceIndex: source, sentiment: sentiment, topics: topics,
                    watch: watch.matches(post.text), abstained: reason)
                markRepost(&abstainedPost)
                classified.append(abstainedPost)
                window(abstainedPost, source: source, stats: &stats)
            case .filtered(let source, let duplicate):
                count(post: source, stats: &stats)
                if duplicate { stats.duplicates += 1 } else { stats.filtered += 1 }
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
                let now = AggregateStage.wallClock()
                for source in lastPost.indices where now - lastPost[source] >= idle {
                    watermark.release(source: source)
                }
            }
        }
        try sinks.write(posts: classified, heads: taxonomy)
        let now = AggregateStage.wallClock()
        recent.append((now, posts))
        recent.removeAll { now - $0.0 > 10_000 }
        try emit(through: watermark.value(fallback: live ? now - lateness : .min), sinks: sinks, stats: &stats)
    }

    /// Whether `sentiment` and `topics` are the model's probabilities: three sentiment scores, one per topic, each
    /// a number in [0, 1].
    private func areProbabilities(_ sentiment: [Float], _ topics: [Float]) -> Bool {
        sentiment.count == 3 && topics.count == taxonomy.count && sentiment.allSatisfy(AggregateStage.isProbability)
            && topics.allSatisfy(AggregateStage.isProbability)
    }

    /// Adds a post to its windows (or counts it late) and moves the watermark.
    private mutating func window(_ post: ClassifiedPost, source: Int, stats: inout PipelineStats) {
        let time = post.post.createdAt
        let mark = watermark.value(fallback: live ? AggregateStage.wallClock() - lateness : .max)
        lastPost[source] = AggregateStage.wallClock()
        newestEvent = max(newestEvent, time)
        newestBySource[source] = max(newestBySource[source], time)
        if tumbling.isLate(time, watermark: mark) {
            stats.late += 1
        } else {
            tumbling.add(post, watermark: mark)
            countTerms(post)
            stats.windowed += 1
            if post.repost != nil { stats.reposts += 1 }
        }
        sliding?.add(post, watermark: mark)
        watermark.observe(time, source: source)
    }

    /// Counts a windowed post's terms for its rows (`all`, its taxonomy topic unless abstained, its watch topics);
    /// a collapsed repost's are not counted, as it counts in no figure but volume.
    private mutating func countTerms(_ post: ClassifiedPost) {
        guard terms.isOn, post.repost != .collapse else { return }
        var indices = [0]
        if post.abstained == nil, post.topic < taxonomy.count { indices.append(1 + post.topic) }
        indices += post.watch.filter { $0 < watch.topics.count }.map { 1 + taxonomy.count + $0 }
        terms.add(text: post.post.text, language: post.post.lang, at: post.post.createdAt, topics: indices)
    }

    /// Marks a post that nearly duplicates an earlier one (in line order) as a repost, counted as the run says.
    private mutating func markRepost(_ post: inout ClassifiedPost) {
        if reposts.isRepost(post.post.text, at: post.post.createdAt) { post.repost = repostMode }
    }

    private mutating func count(post source: Int, stats: inout PipelineStats) {
        stats.ingest.sources[source].posts += 1
        stats.ingest.sources[source].lines += 1
        consumedLines[source] += 1
    }

    /// A one-line status: throughput, lag behind event time, open windows, closed windows.
    func status(_ stats: PipelineStats) -> String {
        let now = AggregateStage.wallClock()
        let span = max(1, now - (recent.first?.0 ?? now))
        let rate = Double(recent.reduce(0) { $0 + $1.1 }) * 1000 / Double(span)
        let lag = newestEvent == .min ? "–" : String(format: "%.0f s", Double(now - newestEvent) / 1000)
        return String(
            format: "%.0f posts/s, lag %@, %d posts, %d open windows, %d windows closed, %d late", rate, lag,
            stats.classified, tumbling.openCount, stats.windows, stats.late)
    }

    /// Per source, how far its newest post trails the wall clock, in seconds (nil before its first post).
    func sourceLag() -> [Double?] {
        let now = AggregateStage.wallClock()
        return newestBySource.map { $0 == .min ? nil : Double(now - $0) / 1000 }
    }

    /// Milliseconds since the Unix epoch, wall clock.
    private static func isProbability(_ value: Float) -> Bool { value.isFinite && value >= 0 && value <= 1 }

    static func wallClock() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Closes every remaining window (the end of a replay).
    mutating func finish(sinks: OutputSinks, stats: inout PipelineStats) throws {
        try emit(through: .max, sinks: sinks, stats: &stats)
    }

    private mutating func emit(through mark: Int64, sinks: OutputSinks, stats: inout PipelineStats) throws {
        let closed = tumbling.close(through: mark)
        stats.windows += closed.count
        let emerging = closed.flatMap { terms.close(start: $0.start) }
        try sinks.write(tumbling: closed, terms: emerging)
        let alerts = closed.flatMap { detector.observe($0.records) }
        stats.alerts += alerts.count
        stats.incidents = detector.incidentCount
        raisedAlerts += alerts
        try sinks.write(alerts: alerts)
        if var sliding {
            try sinks.write(sliding: sliding.close(through: mark))
            self.sliding = sliding
        }
    }
}
