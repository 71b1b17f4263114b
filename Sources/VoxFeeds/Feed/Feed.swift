import AsyncAlgorithms

/// Options for reading feeds.
public struct FeedOptions: Sendable {
    /// The connector profile's name, or `auto` to detect it per source.
    public var profile = "auto"
    /// Profiles to choose from.
    public var registry: ProfileRegistry
    /// The profile used when `auto` recognises nothing (the generic one, possibly with user field paths).
    public var fallback: ConnectorProfile
    /// Keep reading at the end: files as they grow (surviving rotation), HTTP resources by polling.
    public var follow = false
    /// Seconds between polls when following.
    public var pollInterval = 1.0
    /// The longest line accepted, in bytes; longer lines become `line_too_long` dead letters.
    public var maxLineLength = 1 << 20
    /// HTTP settings.
    public var http = HTTPOptions()
    /// When set, every source stops reading (as if it had ended) and what was already read is delivered:
    /// a graceful stop for live runs, unlike cancelling the task.
    public var stopRequest: StopSignal? = nil
    /// Per source, non-blank lines to pass over unmapped and uncounted (resuming from a checkpoint).
    public var skipLines: [Int] = []

    /// Creates options over `registry`, falling back to `fallback` (default: its `generic` profile).
    public init(registry: ProfileRegistry, fallback: ConnectorProfile? = nil) {
        self.registry = registry
        self.fallback =
            fallback ?? registry.profiles.first { $0.name == "generic" }
            ?? ConnectorProfile(
                name: "generic", id: [.path("id")], text: [.path("text")], createdAt: [.path("created_at")])
    }
}

/// Reads several sources at once and merges what they yield: each source runs its transport on its
/// own thread and parses on its own task; a slow consumer slows every reader (nothing is buffered
/// without bound, nothing is dropped).
public struct Feed: Sendable {
    /// The sources, in command-line order.
    public let sources: [FeedSource]
    /// How to read them.
    public let options: FeedOptions

    /// Creates a feed.
    public init(sources: [FeedSource], options: FeedOptions) {
        self.sources = sources
        self.options = options
    }

    /// Reads every source to its end (or until cancelled when following), handing each event to
    /// `handle` in order of arrival.
    ///
    /// Cancelling the calling task (SIGINT) or throwing `FeedStop` from `handle` ends the run early but
    /// still returns the accounting so far, with `interrupted` set.
    /// - Parameter handle: Receives events one at a time.
    /// - Returns: The run's accounting.
    /// - Throws: Whatever else `handle` throws.
    public func run(_ handle: (FeedEvent) async throws -> Void) async throws -> IngestStats {
        var stats = IngestStats(sourceNames: sources.map(\.name))
        let channel = AsyncChannel<FeedEvent>()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await withTaskGroup(of: Void.self) { readers in
                        for index in sources.indices {
                            readers.addTask { await read(source: index, into: channel) }
                        }
                    }
                    channel.finish()
                }
                for await event in channel {
                    switch event {
                    case .batch(let batch): stats.record(batch)
                    case .profile(let index, let name): stats.sources[index].profile = name
                    case .reconnected(let index): stats.sources[index].reconnects += 1
                    case .finished(let index, let error, let bytes):
                        stats.sources[index].error = error?.message
                        stats.sources[index].bytes = bytes
                    case .notice: break
                    }
                    try await handle(event)
                }
                try Task.checkCancellation()
                try await group.waitForAll()
            }
        } catch is CancellationError {
            stats.interrupted = true
        } catch is FeedStop {
            stats.interrupted = true
        }
        return stats
    }

    /// Runs one source: its transport on a pump thread, its parser here, events into `channel`.
    private func read(source index: Int, into channel: AsyncChannel<FeedEvent>) async {
        let source = sources[index]
        let transport: any ByteTransport
        switch source.location {
        case .files(let paths):
            transport = FileTransport(paths: paths, follow: options.follow, pollInterval: options.pollInterval)
        case .standardInput:
            transport = FileTransport(paths: ["-"], follow: false, pollInterval: options.pollInterval)
        case .http(let url):
            transport = HTTPTransport(
                url: url, displayName: source.name, follow: options.follow,
                pollInterval: options.pollInterval, options: options.http)
        }
        let choice: LineParser.Choice
        if options.profile == "auto" {
            choice = .auto(options.registry, fallback: options.fallback)
        } else if options.profile == options.fallback.name {
            choice = .fixed(options.fallback)
        } else {
            do {
                choice = .fixed(try options.registry.profile(named: options.profile))
            } catch {
                await channel.send(.finished(sourceIndex: index, error: error, bytes: 0))
                return
            }
        }
        let pump = SourcePump(maxLineLength: options.maxLineLength)
        options.stopRequest?.whenStopped { [stop = pump.stop] in stop.stop() }
        pump.start(transport)
        defer { pump.cancel() }
        let skip = options.skipLines.indices.contains(index) ? options.skipLines[index] : 0
        var parser = LineParser(sourceIndex: index, choice: choice, skip: skip)
        var announced = false
        func emit(_ batches: [FeedBatch]) async {
            if !announced, let name = parser.profileName {
                announced = true
                await channel.send(.profile(sourceIndex: index, name: name))
            }
            for batch in batches { await channel.send(.batch(batch)) }
        }
        for await event in pump.handoff {
            switch event {
            case .lines(let lines):
                await emit(parser.parse(lines))
            case .notice(let message):
                await channel.send(.notice(sourceIndex: index, message: message))
            case .reconnect:
                await channel.send(.reconnected(sourceIndex: index))
            case .end(let error, let rawBytes):
                await emit(parser.finish())
                var failure = error
                if failure == nil, parser.skipRemaining > 0, options.stopRequest?.isStopped != true {
                    failure = FeedError(
                        .io,
                        "\(source.name) has \(skip - parser.skipRemaining) lines, fewer than the \(skip) a checkpoint "
                            + "had already read: the source changed since; remove the checkpoint folder to start over")
                }
                await channel.send(.finished(sourceIndex: index, error: failure, bytes: rawBytes))
                return
            }
        }
    }
}

/// Thrown from a feed's event handler to end the run early (the reader of the output went away).
public struct FeedStop: Error, Sendable {
    /// Creates the signal.
    public init() {}
}
