import ArgumentParser
import Foundation
import Prometheus
import VoxFeeds
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

    func validate() throws {
        guard DurationParser.milliseconds(idle) != nil else {
            throw ValidationError("--idle '\(idle)' is not a duration like 2m")
        }
    }

    func run() async throws {
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
        let handlers = SignalTrap.stoppingOnSignals { stopRequest.stop() }
        defer { for handler in handlers { handler.cancel() } }
        let terminal = isatty(2) != 0
        let stats = try await Pipeline(
            feed: Feed(sources: resolved, options: feedOptions), classifier: model, watch: watch, options: options
        )
        .run(
            notice: { message in
                FileHandle.standardError.write(Data("\(terminal ? "\r\u{1B}[K" : "")vox: \(message)\n".utf8))
            },
            status: { line in
                if terminal {
                    FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
                } else if Int(Date().timeIntervalSince1970) % 10 == 0 {
                    FileHandle.standardError.write(Data("vox: \(line)\n".utf8))
                }
            })
        await server?.stop()
        FileHandle.standardError.write(
            Data(
                "\nvox: stopped after \(stats.ingest.posts) posts: \(stats.windows) windows written to \(options.output)/\n"
                    .utf8))
        if !stats.ingest.allSourcesSucceeded { throw ExitCode(1) }
    }
}
