import ArgumentParser
import Foundation
import VoxCluster
import VoxFeeds
import VoxServe
import VoxStream

/// `vox publish`: the first role of a scaled-out job: reads feeds and publishes every line's outcome to NATS.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Scale out, step 1: read feeds as replay/tail do and publish each line to a NATS JetStream stream.",
        discussion: """
            Filters (--lang, --dedupe) run here, in source order, so workers classify only the posts kept. Each \
            message's id comes from (source, line): a publisher restarted (from --checkpoint or from the start) adds \
            no copies. Creates the streams when missing. Run vox worker (any number) and vox aggregate with the same \
            --stream.
            Example: vox publish dumps/ --stream brands --nats nats://10.0.0.5:4222 --lang en --dedupe
            """
    )

    @Argument(help: "Files, folders, globs, - (stdin), file:// or http(s):// URLs.")
    var sources: [String]

    @OptionGroup var cluster: ClusterOptionGroup
    @OptionGroup var pipeline: PipelineOptionGroup
    @OptionGroup var feed: FeedOptionGroup
    @OptionGroup(title: "Metrics (--serve: /metrics and /healthz only)") var serving: ServeOptionGroup

    @Option(help: "Messages per publish round (each round is stored before the checkpoint moves on).")
    var publishBatch = 512
    @Option(help: "Lines packed into one message at most (workers fetch messages, so this is their unit of work).")
    var pack = LineMessage.defaultPack

    func validate() throws {
        guard publishBatch > 0 else { throw ValidationError("--publish-batch must be positive") }
        guard (1...4096).contains(pack) else { throw ValidationError("--pack goes from 1 to 4096") }
    }

    func run() async throws {
        var (resolved, feedOptions) = try feed.resolve(sources)
        let stopRequest = StopSignal()
        feedOptions.stopRequest = stopRequest
        let handlers = SignalTrap.stoppingOnSignals { stopRequest.stop() }
        defer { for handler in handlers { handler.cancel() } }
        var options = Publisher.Options(url: cluster.nats, streams: try cluster.streams())
        options.replicas = cluster.replicas
        options.batch = publishBatch
        options.pack = pack
        options.checkpoint = pipeline.checkpoint
        let metrics = try await serving.startMetrics()
        options.metrics = metrics?.factory
        let publisher = Publisher(
            feed: Feed(sources: resolved, options: feedOptions), filterOptions: pipeline.pipelineOptions(),
            options: options)
        let started = Date()
        let stats: Publisher.Stats
        do {
            stats = try await publisher.run { message in
                FileHandle.standardError.write(Data("vox: \(message)\n".utf8))
            }
        } catch let error as ClusterError {
            await metrics?.server.stop()
            throw CLIError(error.message)
        }
        await metrics?.server.stop()
        let seconds = Date().timeIntervalSince(started)
        FileHandle.standardError.write(
            Data(
                String(
                    format: "vox: %d lines published as %d messages to %@ in %.1f s%@\n", stats.lines, stats.published,
                    cluster.stream, seconds, stats.stopped ? " (stopped: start again to continue)" : ""
                ).utf8))
        if !stats.ingest.allSourcesSucceeded { throw ExitCode(1) }
    }
}
