import Foundation
import VoxFeeds
import VoxStream

/// `vox aggregate`: reads the line stream in order and joins each post with its result (from the results stream,
/// which workers fill in any order), then runs the same aggregate stage as `vox replay`. Results that arrive
/// early wait in a bounded reorder buffer; results too far ahead are dropped and read again later, so memory stays
/// bounded whatever a slow or killed worker holds up. Lines are applied exactly once, by their numbers; the
/// checkpoint records the next line message and the earliest result still needed, so a killed aggregator resumes
/// to the same outputs.
public final class ClusterAggregator: Sendable {
    /// Where to read and how.
    public struct Options: Sendable {
        /// NATS URL(s).
        public var url: String
        /// The job's stream name.
        public var streams: ClusterStreams
        /// Line messages whose results are held ahead of the next one needed (beyond it they are read again later);
        /// 10,000 messages of 32 posts hold about 40 MB of probabilities.
        public var reorderCapacity = 10_000
        /// Messages per fetch.
        public var fetch = 512
        /// Copies a NATS cluster keeps of each stream, when the aggregator creates them.
        public var replicas = 1

        /// Options for stream `streams` at `url`.
        public init(url: String, streams: ClusterStreams) {
            self.url = url
            self.streams = streams
        }
    }

    let model: ModelDescription
    let watch: WatchTopics
    let pipeline: PipelineOptions
    let options: Options

    /// An aggregator expecting results from `model`, windowing and writing as `pipeline` says.
    public init(model: ModelDescription, watch: WatchTopics, pipeline: PipelineOptions, options: Options) {
        self.model = model
        self.watch = watch
        self.pipeline = pipeline
        self.options = options
    }

    private struct Stopped: Error {}

    /// Aggregates until the publisher's `end` (then closes every window) or until `stop` is set (then, with a
    /// checkpoint, saves the open windows).
    /// - Throws: `ClusterError` for NATS failures, foreign messages, lost lines or results from another model;
    ///   `WatchError` for a checkpoint of another configuration.
    public func run(
        stop: StopSignal? = nil, notice: @escaping @Sendable (String) -> Void = { _ in },
        status: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> PipelineStats {
        let streams = options.streams
        let lineConnection = try await JetStream.connect(url: options.url)
        let replicas = options.replicas
        try await Retrying.run("creating \(streams.lines)", notice: notice) {
            try await streams.create(on: lineConnection, replicas: replicas)
        }
        guard case .start(let sources, let profile)? = try await firstMessage(lineConnection, stop: stop, notice) else {
            throw ClusterError(message: "stream \(streams.lines) does not begin with vox publish's start message")
        }
        let aggregation = try Aggregation(
            sources: sources, profile: profile, model: model, watch: watch, options: pipeline, notice: notice)
        if aggregation.resumed?.completed == true { return aggregation.stats }
        var results = try await ResultJoin(
            url: options.url, streams: streams, model: model.tag, from: aggregation.resumed?.positions["results"] ?? 1,
            capacity: options.reorderCapacity, fetch: options.fetch, notice: notice)
        var expected = aggregation.consumedLines
        var nextLine = aggregation.resumed?.positions["lines"] ?? 1
        var reader = try await StreamReader(
            connection: lineConnection, stream: streams.lines, subject: streams.linesSubject, from: nextLine,
            notice: notice)
        var inputs: [StageInput] = []
        var ends: [LineMessage.SourceEnd]? = nil
        var finished = Set<Int>()
        var lastStatus = Date()
        let metrics = pipeline.metrics.map(ClusterMetrics.Aggregator.init(factory:))
        var lagSampled = Date.distantPast
        var reread = 0
        /// Samples how many line messages are stored but not applied yet (with metrics, every 2 s at most).
        func sampleLag() async {
            guard let metrics, Date().timeIntervalSince(lagSampled) >= 2 else { return }
            lagSampled = Date()
            if let last = try? await lineConnection.lastSequence(stream: streams.lines) {
                metrics.record(behind: last >= nextLine ? last - nextLine + 1 : 0)
            }
        }
        func positions() -> [String: UInt64] { ["lines": nextLine, "results": results.floor] }
        func flush() async throws {
            guard !inputs.isEmpty else { return }
            if let metrics {
                let applied = inputs.count(where: { if case .classified = $0 { true } else { false } })
                metrics.record(applied: applied, depth: results.depth)
                metrics.record(reread: results.dropped - reread)
                reread = results.dropped
            }
            try await aggregation.apply(inputs)
            inputs.removeAll(keepingCapacity: true)
            try aggregation.batchDone(positions: positions())
            if Date().timeIntervalSince(lastStatus) >= 1 {
                status(aggregation.status)
                lastStatus = Date()
            }
        }
        /// Whether line `line` of `source` is the next one (false: a copy of one applied already).
        func isNext(_ source: Int, _ line: Int, count: Int = 1) throws(ClusterError) -> Bool {
            guard expected.indices.contains(source) else {
                throw ClusterError(message: "a line message names source \(source) of \(expected.count)")
            }
            if line + count <= expected[source] { return false }
            guard line <= expected[source] else {
                throw ClusterError(
                    message: "lines \(expected[source])–\(line - 1) of \(sources[source]) are missing from stream "
                        + "\(streams.lines) (was it purged, or written by two publishers?)")
            }
            return true
        }
        /// Applies the lines of one line message not applied yet, with the results of its posts when any is new.
        func join(_ source: Int, _ first: Int, _ entries: [LineMessage.Entry], sequence: UInt64) async throws {
            var number = first
            var scores: [ClassifyStage.Scores] = []
            var taken = false
            var index = 0
            for entry in entries {
                defer { number += entry.lines }
                guard try isNext(source, number, count: entry.lines) else {
                    if entry.isPost { index += 1 }
                    continue
                }
                switch entry {
                case .post(let post):
                    if !taken {
                        if !results.has(sequence) { try await flush() }
                        scores = try await results.take(sequence, stop: stop, notice: notice).scores
                        taken = true
                        let posts = entries.count(where: \.isPost)
                        guard scores.count == posts else {
                            throw ClusterError(
                                message: "line message \(sequence) holds \(posts) posts but its results \(scores.count)"
                            )
                        }
                    }
                    inputs.append(StageInput(post, source: source, scores[index]))
                    index += 1
                    expected[source] += 1
                case .filtered(let duplicate):
                    inputs.append(.filtered(source: source, duplicate: duplicate))
                    expected[source] += 1
                case .skipped(let count):
                    let fresh = number + count - expected[source]
                    inputs.append(.rejected(source: source, skipped: fresh, deadLetters: []))
                    expected[source] += fresh
                case .deadLetter(let letter):
                    inputs.append(.rejected(source: source, skipped: 0, deadLetters: [letter]))
                    expected[source] += 1
                }
            }
            // Every post a copy of one applied already: its results are not needed.
            if !taken { results.forget(sequence) }
        }
        do {
            reading: while stop?.isStopped != true {
                let messages = try await reader.fetch(options.fetch, timeout: .seconds(1))
                await sampleLag()
                if messages.isEmpty {
                    if pipeline.live { inputs.append(.tick) }
                    try await flush()
                    continue
                }
                for message in messages {
                    let line = try LineMessage(bytes: message.data)
                    switch line {
                    case .start(let again, let againProfile):
                        guard again == sources, againProfile == profile else {
                            throw ClusterError(
                                message: "stream \(streams.lines) holds two jobs: other sources \(again)")
                        }
                    case .lines(let source, let first, let entries):
                        try await join(source, first, entries, sequence: message.sequence)
                    case .finished(let source, _):
                        if expected.indices.contains(source), finished.insert(source).inserted {
                            inputs.append(.finished(source: source))
                        }
                    case .reconnected(let source):
                        if expected.indices.contains(source) { inputs.append(.reconnected(source: source)) }
                    case .end(let sourceEnds):
                        ends = sourceEnds
                    }
                    nextLine = message.sequence + 1
                    if ends != nil { break reading }
                }
                try await flush()
            }
        } catch is Stopped {}
        try await flush()
        let read = ends.map { ends in
            zip(sources, ends).map { name, end in
                var source = IngestStats.Source(name: name)
                source.profile = end.profile
                source.bytes = end.bytes
                source.error = end.error
                return source
            }
        }
        return try await aggregation.finish(stopped: ends == nil, sources: read, positions: positions())
    }

    /// The line stream's first message, waiting for the publisher to write it.
    private func firstMessage(
        _ connection: JetStream, stop: StopSignal?, _ notice: @escaping @Sendable (String) -> Void
    ) async throws -> LineMessage? {
        let streams = options.streams
        var reader = try await StreamReader(
            connection: connection, stream: streams.lines, subject: streams.linesSubject, from: 1, notice: notice)
        var waited = 0
        while stop?.isStopped != true {
            let messages = try await reader.fetch(1, timeout: .seconds(1))
            if let first = messages.first {
                return try LineMessage(bytes: first.data)
            }
            waited += 1
            if waited % 10 == 0 { notice("waiting for vox publish to write stream \(streams.lines)") }
        }
        return nil
    }

    /// The results side: a reader of the results stream and the bounded reorder buffer.
    private struct ResultJoin {
        let streams: ClusterStreams
        let model: String
        let capacity: UInt64
        let fetch: Int
        var reader: StreamReader
        var buffer: [UInt64: (stream: UInt64, result: ResultMessage)] = [:]
        /// The earliest results stream sequence of a result dropped for being too far ahead, and its line message.
        var rewind: UInt64? = nil
        var droppedPost = UInt64.max
        /// Results dropped for being too far ahead (each is read again later).
        var dropped = 0

        /// Results held in the reorder buffer.
        var depth: Int { buffer.count }

        init(
            url: String, streams: ClusterStreams, model: String, from start: UInt64, capacity: Int, fetch: Int,
            notice: @escaping @Sendable (String) -> Void
        ) async throws {
            let connection = try await JetStream.connect(url: url)
            self.streams = streams
            self.model = model
            self.capacity = UInt64(max(1, capacity))
            self.fetch = fetch
            reader = try await StreamReader(
                connection: connection, stream: streams.results, subject: streams.resultsSubject, from: start,
                notice: notice)
        }

        /// The earliest results stream sequence that may still hold a result not yet applied.
        var floor: UInt64 { min(buffer.values.map(\.stream).min() ?? .max, rewind ?? .max, reader.next) }

        func has(_ message: UInt64) -> Bool { buffer[message] != nil }

        mutating func forget(_ message: UInt64) { buffer.removeValue(forKey: message) }

        /// The results of the line message at sequence `post`, reading (and buffering) until they arrive.
        mutating func take(
            _ post: UInt64, stop: StopSignal?, notice: @Sendable (String) -> Void
        ) async throws -> ResultMessage {
            var idle = 0
            while true {
                if let held = buffer.removeValue(forKey: post) { return held.result }
                if let start = rewind, droppedPost <= post + capacity {
                    try await reader.restart(from: start)
                    rewind = nil
                    droppedPost = .max
                }
                if stop?.isStopped == true { throw Stopped() }
                let messages = try await reader.fetch(fetch, timeout: .milliseconds(500))
                if messages.isEmpty {
                    idle += 1
                    if idle % 20 == 0 {
                        notice(
                            "waiting for the result of line message \(post): are workers running on \(streams.lines)?")
                    }
                    continue
                }
                for message in messages {
                    for result in try ResultMessage.decode(message.data) {
                        guard result.model == model else {
                            throw ClusterError(
                                message: "a worker scored with \(result.model), this aggregator expects \(model): "
                                    + "run workers and the aggregator with the same --model and --precision")
                        }
                        guard result.sequence >= post, buffer[result.sequence] == nil else { continue }
                        if result.sequence > post + capacity {
                            rewind = min(rewind ?? message.sequence, message.sequence)
                            droppedPost = min(droppedPost, result.sequence)
                            dropped += 1
                            continue
                        }
                        buffer[result.sequence] = (message.sequence, result)
                    }
                }
            }
        }
    }
}
