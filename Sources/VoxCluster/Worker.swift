import Foundation
import VoxFeeds
import VoxModel
import VoxStream

/// `vox worker`: one of any number of classifiers sharing the job's durable pull consumer. It fetches a batch of
/// line messages, classifies the posts among them (both heads, one encoder pass), publishes one result per post
/// (the post's sequence as de-duplication id), waits until the server stored them, and only then acknowledges
/// the batch. A worker killed at any moment loses nothing: what it had not acknowledged is delivered to another.
public final class Worker: Sendable {
    /// Where to work and how.
    public struct Options: Sendable {
        /// NATS URL(s).
        public var url: String
        /// The job's stream name.
        public var streams: ClusterStreams
        /// Line messages per fetch (and per model batch).
        public var batch = 64
        /// Messages not acknowledged within this time are delivered again (to any worker).
        public var ackWait: Duration = .seconds(30)
        /// Copies a NATS cluster keeps of each stream (when this worker creates them).
        public var replicas = 1
        /// Exit once the publisher's `end` is stored and nothing is left to classify (for finite feeds).
        public var drain = false

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
        /// Seconds in the model, and in fetching, publishing and acknowledging.
        public var modelSeconds = 0.0
        public var messagingSeconds = 0.0
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
        while stop?.isStopped != true && !Task.isCancelled {
            var started = clock.now
            let fetched = await fetch(consumer, jetStream)
            guard case .success(let messages) = fetched else {
                // What this worker fetched and did not acknowledge goes to another worker after the ack wait.
                failures += 1
                if case .failure(let error) = fetched {
                    guard failures < 60 else { throw error }
                    notice("fetching failed (\(error.message)); retrying")
                }
                try await Task.sleep(for: .seconds(1))
                continue
            }
            failures = 0
            guard let messages else { break }
            if messages.isEmpty { continue }
            var posts: [(sequence: UInt64, text: String)] = []
            for message in messages {
                stats.fetched += 1
                if message.delivered > 1 { stats.redelivered += 1 }
                // Anything that is not a post (or not Vox's) has no result; the aggregator reports foreign messages.
                if case .post(_, _, let post)? = try? LineMessage(bytes: message.data) {
                    posts.append((message.sequence, post.text))
                }
            }
            stats.messagingSeconds += (clock.now - started).totalSeconds
            let (scores, nanoseconds) = await stage.classify(posts.map(\.text))
            stats.modelSeconds += Double(nanoseconds) / 1e9
            stats.classified += posts.count
            started = clock.now
            let results = zip(posts, scores).map { post, score in
                let result = ResultMessage(
                    sequence: post.sequence, model: model, sentiment: score.sentiment, topics: score.topics)
                return JetStream.Outgoing(subject: streams.resultsSubject, data: result.bytes, id: result.id)
            }
            try await Retrying.run("storing \(results.count) results", notice: notice) {
                try await jetStream.publish(results)
            }
            stats.results += results.count
            // A lost acknowledgement only means a redelivery, whose result the aggregator ignores.
            for message in messages where (try? await consumer.ack(message.sequence)) != nil {
                stats.acknowledged += 1
            }
            stats.messagingSeconds += (clock.now - started).totalSeconds
            progress(stats)
        }
        return stats
    }

    /// The next batch; nil when draining and the job is done.
    private func fetch(
        _ consumer: PullConsumer, _ jetStream: JetStream
    ) async -> Result<
        [PullConsumer.Message]?, ClusterError
    > {
        do throws(ClusterError) {
            let messages = try await consumer.fetch(options.batch, timeout: .milliseconds(500))
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
