import CoreMetrics
import Foundation
import VoxFeeds
import VoxModel
import VoxStream

/// `vox worker`: one of any number of classifiers sharing the job's durable pull consumer. It fetches a batch of
/// line messages, classifies the posts packed in them (both heads, one encoder pass), publishes the batch's results as one
/// message, waits until the server stored them, and only then acknowledges
/// the batch. A worker killed at any moment loses nothing: what it had not acknowledged is delivered to another.
public final class Worker: Sendable {
    /// Where to work and how.
    public struct Options: Sendable {
        /// NATS URL(s).
        public var url: String
        /// The job's stream name.
        public var streams: ClusterStreams
        /// Posts per model batch, about: each fetch takes as many line messages as hold this many posts.
        public var batch = 64
        /// Messages not acknowledged within this time are delivered again (to any worker).
        public var ackWait: Duration = .seconds(30)
        /// Copies a NATS cluster keeps of each stream (when this worker creates them).
        public var replicas = 1
        /// Exit once the publisher's `end` is stored and nothing is left to classify (for finite feeds).
        public var drain = false
        /// Where the worker's metrics go (`--serve`); nil: nowhere.
        public var metrics: (any MetricsFactory)? = nil

        /// Options for stream `streams` at `url`.
        public init(url: String, streams: ClusterStreams) {
            self.url = url
            self.streams = streams
        }
    }

    /// What a worker did.
    public struct Stats: Sendable {
        /// Messages fetched, of them delivered more than once, posts classified, results stored, messages acked.
        public var fetched = 0
        public var redelivered = 0
        public var classified = 0
        public var results = 0
        public var acknowledged = 0
        /// Seconds in the model, and of the rest of the worker's time (idle waits for work left out) spent on
        /// fetching, storing and acknowledging where the model does not hide it.
        public var modelSeconds = 0.0
        public var messagingSeconds = 0.0

        mutating func add(_ stored: Stored) {
            results += stored.results
            acknowledged += stored.acknowledged
        }
    }

    let stage: ClassifyStage
    let options: Options

    /// A worker classifying with `stage`.
    public init(stage: ClassifyStage, options: Options) {
        self.stage = stage
        self.options = options
    }

    /// Works until `stop` is set (finishing the batch in hand) or, with `drain`, until the job is done.
    /// - Parameter progress: Receives the running totals after each batch.
    /// - Throws: `ClusterError` when NATS fails.
    /// - Parameter notice: Receives retried failures (a NATS node restarting, say).
    public func run(
        stop: StopSignal? = nil, notice: @escaping @Sendable (String) -> Void = { _ in },
        progress: @escaping @Sendable (Stats) -> Void = { _ in }
    ) async throws -> Stats {
        let jetStream = try await JetStream.connect(url: options.url)
        let streams = options.streams
        let (replicas, ackWait) = (options.replicas, options.ackWait)
        let consumer = try await Retrying.run("joining the workers on \(streams.lines)", notice: notice) {
            try await streams.create(on: jetStream, replicas: replicas)
            return try await jetStream.pullConsumer(
                stream: streams.lines, subject: streams.linesSubject, durable: streams.workers, ackWait: ackWait)
        }
        let model = stage.classifier.tag
        var stats = Stats()
        let clock = ContinuousClock()
        var failures = 0
        let metrics = options.metrics.map(ClusterMetrics.Worker.init(factory:))
        var reported = Stats()
        var backlogChecked = clock.now - .seconds(10)
        // Two batches overlap the model: the next one is fetched, and the previous one's results stored and
        // acknowledged, while this one is classified. Messaging time is what the model does not hide.
        // Line messages per fetch: enough for about `batch` posts, by the most posts one message held in the last batch.
        var postsPerMessage = LineMessage.defaultPack
        func prefetch() -> Task<Result<[PullConsumer.Message]?, ClusterError>, Never> {
            let count = max(1, options.batch / postsPerMessage)
            return Task { await self.fetch(consumer, jetStream, count: count) }
        }
        var next = prefetch()
        var storing: Task<Stored, any Error>? = nil
        let begun = clock.now
        // Waiting for work that is not there yet (empty fetches, retries) is idle time, not messaging.
        var idle = Duration.zero
        while stop?.isStopped != true && !Task.isCancelled {
            if let metrics, clock.now - backlogChecked >= .seconds(2) {
                // The consumer's backlog is the workers' lag; a failed read only skips one sample.
                backlogChecked = clock.now
                if let backlog = try? await jetStream.backlog(stream: streams.lines, durable: streams.workers) {
                    metrics.record(pending: backlog.pending, unacknowledged: backlog.unacknowledged)
                }
            }
            let waiting = clock.now
            let fetched = await next.value
            if case .success(let messages) = fetched, messages?.isEmpty != false { idle += clock.now - waiting }
            guard case .success(let messages) = fetched else {
                // What this worker fetched and did not acknowledge goes to another worker after the ack wait.
                failures += 1
                if case .failure(let error) = fetched {
                    guard failures < 60 else {
                        _ = try? await storing?.value
                        throw error
                    }
                    notice("fetching failed (\(error.message)); retrying")
                }
                try await Task.sleep(for: .seconds(1))
                idle += clock.now - waiting
                next = prefetch()
                continue
            }
            failures = 0
            guard let messages else { break }
            next = prefetch()
            if messages.isEmpty { continue }
            // Each line message's posts, in order; they go through the classify stage as one batch.
            var posts: [Post] = []
            var packed: [(sequence: UInt64, posts: Int)] = []
            for message in messages {
                stats.fetched += 1
                if message.delivered > 1 { stats.redelivered += 1 }
                // Anything that is not lines (or not Vox's) has no result; the aggregator reports foreign messages.
                guard case .lines(_, _, let entries)? = try? LineMessage(bytes: message.data) else { continue }
                let before = posts.count
                for case .post(let post) in entries { posts.append(post) }
                if posts.count > before { packed.append((message.sequence, posts.count - before)) }
            }
            postsPerMessage = max(1, packed.map(\.posts).max() ?? postsPerMessage)
            let (scores, nanoseconds) = await stage.classify(posts)
            stats.modelSeconds += Double(nanoseconds) / 1e9
            stats.classified += posts.count
            var offset = 0
            let results = packed.map { message in
                defer { offset += message.posts }
                return ResultMessage(
                    sequence: message.sequence, model: model, scores: Array(scores[offset..<offset + message.posts]))
            }
            let message = JetStream.Outgoing(
                subject: streams.resultsSubject, data: ResultMessage.encode(results), id: ResultMessage.id(of: results))
            if let previous = try await storing?.value { stats.add(previous) }
            let sequences = messages.map(\.sequence)
            storing = Task {
                try await Worker.store(
                    results.isEmpty ? nil : message, count: posts.count, acknowledging: sequences, jetStream,
                    consumer, notice)
            }
            stats.messagingSeconds = max(0, (clock.now - begun - idle).totalSeconds - stats.modelSeconds)
            metrics?.record(stats, since: reported)
            reported = stats
            progress(stats)
        }
        if let previous = try await storing?.value { stats.add(previous) }
        // A batch fetched ahead and not classified (stopped): handed back for another worker at once.
        next.cancel()
        if case .success(let messages?) = await next.value, !messages.isEmpty {
            await consumer.release(messages.map(\.sequence))
        }
        stats.messagingSeconds = max(0, (clock.now - begun - idle).totalSeconds - stats.modelSeconds)
        metrics?.record(stats, since: reported)
        return stats
    }

    /// What storing one batch did.
    struct Stored: Sendable {
        var results = 0
        var acknowledged = 0
    }

    /// Stores a batch's results message, if it has posts (waiting until the server has it), then acknowledges the
    /// batch.
    private static func store(
        _ message: JetStream.Outgoing?, count: Int, acknowledging sequences: [UInt64], _ jetStream: JetStream,
        _ consumer: PullConsumer, _ notice: @escaping @Sendable (String) -> Void
    ) async throws -> Stored {
        if let message {
            try await Retrying.run("storing \(count) results", notice: notice) {
                try await jetStream.publish([message])
            }
        }
        // A lost acknowledgement only means a redelivery, whose result the aggregator ignores.
        let acknowledged = await consumer.ack(sequences)
        return Stored(results: count, acknowledged: acknowledged)
    }

    /// The next batch; nil when draining and the job is done.
    private func fetch(
        _ consumer: PullConsumer, _ jetStream: JetStream, count: Int
    ) async -> Result<
        [PullConsumer.Message]?, ClusterError
    > {
        do throws(ClusterError) {
            let messages = try await consumer.fetch(count, timeout: .milliseconds(500))
            if messages.isEmpty, options.drain, try await done(jetStream) { return .success(nil) }
            return .success(messages)
        } catch {
            return .failure(error)
        }
    }

    /// Whether the publisher's `end` is stored and no line message is waiting or unacknowledged.
    private func done(_ jetStream: JetStream) async throws(ClusterError) -> Bool {
        let streams = options.streams
        guard let last = try await jetStream.lastMessage(stream: streams.lines, subject: streams.linesSubject),
            case .end? = try? LineMessage(bytes: last)
        else { return false }
        let backlog = try await jetStream.backlog(stream: streams.lines, durable: streams.workers)
        return backlog.pending == 0 && backlog.unacknowledged == 0
    }
}
