import ArgumentParser
import Foundation
import VoxFeeds
import VoxSamples
import VoxServe
import VoxStream

/// `vox replay`: processes archived dumps to the end and closes every window.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract:
            "Process archived feeds to the end: sentiment and topics per event-time window, watch topics, reports.",
        discussion: """
            Writes OUT/windows.csv and .jsonl (one row per window and topic: all, the model's topics, your watch topics), \
            OUT/examples.jsonl, OUT/hourly/, OUT/dead-letter.jsonl and OUT/run.json (exact accounting).
            Example: vox replay --sample            (the bundled sample feed and watch file)
                     vox replay dumps/ --watch brands.yaml --window 1h --lang en --out reports/
                     vox replay --sample --speed 3600x --serve 8080   (watch a day unfold in 24 s on the dashboard)
            """
    )

    @Argument(help: "Files, folders, globs, - (stdin), file:// or http(s):// URLs.")
    var sources: [String] = []

    @Flag(help: "Replay the bundled sample feed with the bundled sample watch file.")
    var sample = false

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
        if sources.isEmpty && !sample { throw ValidationError("name at least one source, or use --sample") }
    }

    func run() async throws {
        var names = sources
        var watchPath = pipeline.watch
        if sample {
            guard let feedPath = VoxSamples.feedPath else {
                throw CLIError("the bundled sample feed is missing from this build")
            }
            names.append(feedPath)
            watchPath = watchPath ?? VoxSamples.watchPath
        }
        let (resolved, feedOptions) = try feed.resolve(names)
        let watch: WatchTopics
        do {
            watch = try watchPath.map { path throws(WatchError) in try WatchTopics.load(path) } ?? WatchTopics([])
        } catch {
            throw ValidationError(error.message)
        }
        let model = try classifier.load()
        var options = try pipeline.pipelineOptions(classifier: model)
        let terminal = isatty(2) != 0
        options.statusLine = terminal
        let server = try await serving.start(options: &options)
        let settings = options
        let stats: PipelineStats
        do {
            stats = try await SignalTrap.cancellingOnSignals {
                try await Pipeline(
                    feed: Feed(sources: resolved, options: feedOptions), classifier: model, watch: watch,
                    options: settings
                )
                .run(
                    notice: { message in
                        FileHandle.standardError.write(Data("\(terminal ? "\r\u{1B}[K" : "")vox: \(message)\n".utf8))
                    },
                    status: { line in FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8)) })
            }
        } catch {
            await server?.stop()
            throw error
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let summary = String(
            format:
                "%d posts in %.1f s (%.0f posts/s): %d windows, %d late, %d filtered, %d duplicates, %d dead letters",
            stats.ingest.posts, stats.seconds, Double(stats.ingest.posts) / max(stats.seconds, 1e-6), stats.windows,
            stats.late,
            stats.filtered, stats.duplicates, stats.ingest.deadLetterTotal)
        FileHandle.standardError.write(
            Data(
                "vox: \(summary)\nvox: outputs in \(options.output)/ (windows.csv, windows.jsonl, examples.jsonl, terms.jsonl, hourly/, run.json)\n"
                    .utf8))
        if let server { await serving.serveUntilInterrupted(server) }
        if !stats.ingest.allSourcesSucceeded { throw ExitCode(1) }
    }
}
