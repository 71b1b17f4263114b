import CoreMetrics
import Foundation
import VoxFeeds
import VoxStream

/// `vox publish`: reads feeds exactly as `replay`/`tail` do and publishes each line's outcome, in source order, on
/// the line stream. The publisher is the job's one sequencer, so the filter (languages, duplicate ids), whose
/// verdicts depend on order, runs here and workers classify only the posts it keeps. Messages are published in
/// batches and each batch is stored before the checkpoint moves past it; their ids come from (source, line), so a
/// publisher restarted from its checkpoint (or from the start) adds no copies.
public final class Publisher: Sendable {
    /// Where and how to publish.
    public struct Options: Sendable {
        /// NATS URL(s).
        public var url: String
        /// The job's stream name.
        public var streams: ClusterStreams
        /// Copies a NATS cluster keeps of each stream.
        public var replicas = 1
        /// Messages per publish round (stored before the next round starts).
        public var batch = 512
        /// Lines (entries: a run of skipped lines is one) packed into one line message at most; a message also
        /// closes at 256 KiB, at a source's end and at the end of each batch the feed reads.
        public var pack = LineMessage.defaultPack
        /// Folder of the publisher's checkpoint (nil: none; a restart republishes from the start, which the
        /// ids make harmless).
        public var checkpoint: String? = nil
        /// Where the publisher's metrics go (`--serve`); nil: nowhere.
        public var metrics: (any MetricsFactory)? = nil

        /// Options for stream `streams` at `url`.
        public init(url: String, streams: ClusterStreams) {
            self.url = url
            self.streams = streams
        }
    }

    /// What a publisher run did.
    public struct Stats: Sendable {
        /// Lines read (this run) and messages the server stored.
        public var lines = 0
        public var published = 0
        /// Whether the feed was stopped before its end (no `end` message then).
        public var stopped = false
        /// The feed's accounting.
        public var ingest: IngestStats
    }

    let feed: Feed
    let filterOptions: PipelineOptions
    let options: Options

    /// A publisher of `feed`, filtering with `filterOptions`' languages and dedupe (and pacing with its `speed`).
    public init(feed: Feed, filterOptions: PipelineOptions, options: Options) {
        self.feed = feed
        self.filterOptions = filterOptions
        self.options = options
    }

    /// Publishes until every source ends (or the feed's stop request is set).
    /// - Throws: `ClusterError` when NATS refuses or loses messages; `WatchError` for a checkpoint of other sources.
    public func run(notice: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Stats {
        let names = feed.sources.map(\.name)
        var filter = PostFilter(options: filterOptions)
        var lines = Array(repeating: 0, count: names.count)
        var feedOptions = feed.options
        if let directory = options.checkpoint,
            let data = FileManager.default.contents(atPath: directory + "/publisher.json")
        {
            let saved = try JSONDecoder().decode(PublisherCheckpointFile.self, from: data)
            guard saved.sources == names else {
                throw WatchError("the checkpoint in \(directory) is of other sources: \(saved.sources)")
            }
            if saved.completed {
                notice("the checkpoint in \(directory) is of a finished publisher: nothing to do")
                return Stats(ingest: IngestStats(sourceNames: names))
            }
            filter = saved.filter
            lines = saved.consumedLines
            feedOptions.skipLines = lines
            notice("resuming from \(directory): \(lines.reduce(0, +)) lines already published")
        }
        let jetStream = try await JetStream.connect(url: options.url)
        let (streams, replicas) = (options.streams, options.replicas)
        try await Retrying.run("creating \(streams.lines)", notice: notice) {
            try await streams.create(on: jetStream, replicas: replicas)
        }
        let state = PublishState(
            jetStream: jetStream, subject: options.streams.linesSubject, batch: options.batch, pack: options.pack,
            filter: filter,
            lines: lines, checkpoint: options.checkpoint, sources: names,
            metrics: options.metrics.map(ClusterMetrics.Publisher.init(factory:)), notice: notice)
        try await state.add(.start(sources: names, profile: feed.options.profile))
        let feed = Feed(sources: feed.sources, options: feedOptions)
        let stopRequest = feed.options.stopRequest
        var pacer = filterOptions.speed.map { EventPacer(speed: $0) }
        let ingest = try await feed.run { event in
            switch event {
            case .batch(let batch):
                try await batch.forEachLine { line in
                    switch line {
                    case .post(let post):
                        try await pacer?.wait(until: post.createdAt)
                        try await state.post(post, source: batch.sourceIndex)
                    case .skipped: try await state.skip(source: batch.sourceIndex)
                    case .deadLetter(let letter): try await state.deadLetter(letter, source: batch.sourceIndex)
                    }
                }
                try await state.flush()
            case .finished(let index, let error, _):
                if let error { notice("error: \(error.message)") }
                if stopRequest?.isStopped != true { try await state.finish(source: index) }
            case .notice(let index, let message):
                notice("[\(names[index])] \(message)")
            case .reconnected(let index):
                try await state.add(.reconnected(source: index))
            case .profile:
                break
            }
        }
        let stopped = stopRequest?.isStopped == true || ingest.interrupted
        if !stopped {
            try await state.add(
                .end(
                    ingest.sources.map {
                        LineMessage.SourceEnd(profile: $0.profile, bytes: $0.bytes, error: $0.error)
                    }))
        }
        try await state.flush(completed: !stopped)
        return Stats(lines: await state.read, published: await state.published, stopped: stopped, ingest: ingest)
    }
}

/// The publisher's position: lines numbered per source, the filter, the line message being packed and the messages
/// not yet stored.
private actor PublishState {
    let jetStream: JetStream
    let subject: String
    let batch: Int
    let pack: Int
    var filter: PostFilter
    var lines: [Int]
    let checkpoint: String?
    let sources: [String]
    var pending: [JetStream.Outgoing] = []
    var pendingBytes = 0
    /// The line message being packed: its source, first line, entries and their encoded size (roughly).
    var open: (source: Int, line: Int, entries: [LineMessage.Entry], lines: Int, bytes: Int)? = nil
    var read = 0
    var published = 0
    let metrics: ClusterMetrics.Publisher?
    let notice: @Sendable (String) -> Void

    /// A line message closes at this size (NATS refuses messages over its max_payload, 1 MiB by default).
    static let packBytes = 256 * 1024
    /// A publish round closes at this size.
    static let roundBytes = 8 * 1024 * 1024

    init(
        jetStream: JetStream, subject: String, batch: Int, pack: Int, filter: PostFilter, lines: [Int],
        checkpoint: String?, sources: [String], metrics: ClusterMetrics.Publisher?,
        notice: @escaping @Sendable (String) -> Void
    ) {
        self.notice = notice
        self.metrics = metrics
        self.jetStream = jetStream
        self.subject = subject
        self.batch = batch
        self.pack = max(1, pack)
        self.filter = filter
        self.lines = lines
        self.checkpoint = checkpoint
        self.sources = sources
    }

    /// Queues a message that is not lines (after the lines packed so far).
    func add(_ message: LineMessage) async throws {
        closePack()
        queue(message)
        try await flushIfFull()
    }

    private func queue(_ message: LineMessage) {
        let bytes = message.bytes
        pendingBytes += bytes.count
        pending.append(JetStream.Outgoing(subject: subject, data: bytes, id: message.id))
    }

    private func closePack() {
        guard let open else { return }
        queue(.lines(source: open.source, line: open.line, open.entries))
        self.open = nil
    }

    private func flushIfFull() async throws {
        if pending.count >= batch || pendingBytes >= PublishState.roundBytes { try await flush() }
    }

    /// Packs the next line of `source` (a run of skipped lines grows its last entry).
    private func append(_ entry: LineMessage.Entry, source: Int, bytes: Int) async throws {
        let line = lines[source]
        read += 1
        lines[source] += 1
        if var current = open, current.source == source, current.line + current.lines == line {
            if case .skipped(let count) = entry, case .skipped(let run)? = current.entries.last {
                current.entries[current.entries.count - 1] = .skipped(count: run + count)
                current.lines += 1
                open = current
                return
            }
            if current.entries.count < pack && current.bytes + bytes <= PublishState.packBytes {
                current.entries.append(entry)
                current.lines += 1
                current.bytes += bytes
                open = current
                return
            }
        }
        closePack()
        open = (source, line, [entry], 1, bytes + 16)
        try await flushIfFull()
    }

    func post(_ post: Post, source: Int) async throws {
        switch filter.check(post) {
        case .keep:
            let size =
                post.text.utf8.count + post.id.utf8.count + post.source.utf8.count + (post.extra?.utf8.count ?? 0)
            try await append(.post(post), source: source, bytes: size + 64)
        case .filtered: try await append(.filtered(duplicate: false), source: source, bytes: 1)
        case .duplicate: try await append(.filtered(duplicate: true), source: source, bytes: 1)
        }
    }

    func skip(source: Int) async throws { try await append(.skipped(count: 1), source: source, bytes: 4) }

    func deadLetter(_ letter: DeadLetter, source: Int) async throws {
        let size = letter.snippet.utf8.count + letter.source.utf8.count + (letter.detail?.utf8.count ?? 0)
        try await append(.deadLetter(letter), source: source, bytes: size + 64)
    }

    func finish(source: Int) async throws { try await add(.finished(source: source, line: lines[source])) }

    /// Stores every queued message (the open pack closed), then records the position reached.
    func flush(completed: Bool = false) async throws {
        closePack()
        let messages = pending
        pending = []
        pendingBytes = 0
        try await Retrying.run("publishing \(messages.count) messages", notice: notice) {
            try await jetStream.publish(messages)
        }
        published += messages.count
        metrics?.record(published: messages.count)
        guard let checkpoint else { return }
        try FileManager.default.createDirectory(atPath: checkpoint, withIntermediateDirectories: true)
        let state = PublisherCheckpointFile(
            sources: sources, consumedLines: lines, filter: filter, completed: completed)
        try writeAtomically(JSONEncoder().encode(state), to: checkpoint + "/publisher.json", durable: true)
    }
}

/// `publisher.json`: the publisher's checkpoint.
private struct PublisherCheckpointFile: Codable {
    var sources: [String]
    var consumedLines: [Int]
    var filter: PostFilter
    var completed: Bool
}
