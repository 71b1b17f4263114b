import ArgumentParser
import Foundation
import Logging
import Prometheus
import Synchronization
import VoxFeeds
import VoxModel
import VoxServe
import VoxStream

/// `vox tail`: follows live feeds until SIGINT or SIGTERM, then stops cleanly and flushes.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow live feeds: windows close as event time (or, when every feed is quiet, the clock) moves on.",
        discussion: """
            Reconnects, resumes and backs off on HTTP; follows files through rotation. A feed with no posts for --idle \
            stops holding the watermark back. Ctrl-C stops reading, finishes the posts in flight and emits the open windows.
            Example: vox tail https://feeds.example.com/brand.jsonl.gz --watch brands.yaml --out live/
            """
    )

    @Argument(help: "URLs or files to follow.")
    var sources: [String]

    @Option(help: "A feed quiet this long (wall clock, e.g. 2m) stops holding the watermark back.")
    var idle = "2m"

    @Option(
        help: ArgumentHelp(
            "A YAML job file mirroring these options (see Samples/job.yaml); options given here override it.",
            valueName: "file"))
    var config: String?
    @OptionGroup var pipeline: PipelineOptionGroup
    @OptionGroup var serving: ServeOptionGroup
    @OptionGroup var feed: FeedOptionGroup
    @OptionGroup var classifier: ClassifierOptionGroup
    @OptionGroup(title: "Logging") var logging: LogOptionGroup

    func validate() throws {
        guard DurationParser.milliseconds(idle) != nil else {
            throw ValidationError("--idle '\(idle)' is not a duration like 2m")
        }
    }

    /// When the last progress line was logged (without a terminal, one every ``progressInterval`` seconds).
    private final class ProgressClock: Sendable {
        let last = Mutex(Date.distantPast)

        func due(every seconds: Double) -> Bool {
            last.withLock { last in
                guard Date().timeIntervalSince(last) >= seconds else { return false }
                last = Date()
                return true
            }
        }
    }

    static let progressInterval = 10.0

    func run() async throws {
        let logger = logging.logger("vox.tail")
        do {
            try await follow(logger: logger)
        } catch let exit as ExitCode {
            throw exit
        } catch  where logging.logFormat == "json" {
            // A supervisor's journal gets the reason as a log line too; the status tells it to restart the job.
            logger.critical("\(ErrorText.line(error))")
            throw ExitCode(1)
        }
    }

    private func follow(logger: Logger) async throws {
        var (resolved, feedOptions) = try feed.resolve(sources)
        let watch: WatchTopics
        do {
            watch = try pipeline.watch.map { path throws(WatchError) in try WatchTopics.load(path) } ?? WatchTopics([])
        } catch {
            throw ValidationError(error.message)
        }
        let stopRequest = StopSignal()
        feedOptions.follow = true
        feedOptions.stopRequest = stopRequest
        let model = try classifier.load()
        var options = try pipeline.pipelineOptions(classifier: model)
        options.live = true
        options.idle = DurationParser.milliseconds(idle) ?? 120_000
        let server = try await serving.start(options: &options)
        let handlers = SignalTrap.stoppingOnSignals(announce: { logger.notice("\($0)") }, { stopRequest.stop() })
        defer { for handler in handlers { handler.cancel() } }
        let interactive = logging.interactive
        let clock = ProgressClock()
        logger.info("following \(resolved.count) sources", metadata: ["out": .string(options.output)])
        let stats = try await Pipeline(
            feed: Feed(sources: resolved, options: feedOptions), classifier: model, watch: watch, options: options
        )
        .run(
            notice: { message in logger.notice("\(message)") },
            status: { line in
                if interactive {
                    FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
                } else if clock.due(every: TailCommand.progressInterval) {
                    logger.info("\(line)")
                }
            })
        await server?.stop()
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
        logger.info(
            "stopped after \(stats.ingest.posts) posts: \(stats.windows) windows written to \(options.output)/",
            metadata: [
                "posts": .stringConvertible(stats.ingest.posts), "windows": .stringConvertible(stats.windows),
                "alerts": .stringConvertible(stats.alerts),
                "dead_letters": .stringConvertible(stats.ingest.deadLetterTotal),
            ])
        if !stats.ingest.allSourcesSucceeded {
            for source in stats.ingest.sources where source.error != nil {
                logger.error("\(source.name): \(source.error ?? "")")
            }
            throw ExitCode(1)
        }
    }
}
