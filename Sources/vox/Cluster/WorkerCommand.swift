import ArgumentParser
import Foundation
import VoxCluster
import VoxFeeds
import VoxModel
import VoxServe
import VoxStream

/// `vox worker`: the second role: classifies posts from the job's stream; run any number, on any machines.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Scale out, step 2: classify posts from a NATS stream (any number of workers share the work).",
        discussion: """
            Workers share one durable consumer: each fetches a batch, classifies it, stores the results, then \
            acknowledges. A worker killed at any moment loses nothing: what it held is delivered to another after \
            --ack-wait. Ctrl-C finishes the batch in hand. With --drain it exits once the job is done.
            Example: vox worker --stream brands --nats nats://10.0.0.5:4222 --precision int8
            """
    )

    @OptionGroup var cluster: ClusterOptionGroup
    @OptionGroup var classifier: ClassifierOptionGroup
    @OptionGroup(title: "Metrics (--serve: /metrics and /healthz only)") var serving: ServeOptionGroup

    @Option(help: "Posts per model batch, about (each fetch takes as many line messages as hold this many).")
    var batch = 64
    @Option(help: "Unacknowledged messages are delivered again after this long (e.g. 30s).") var ackWait = "30s"
    @Option(help: "Encoder threads.") var threads = 2
    @Flag(help: "Exit once the publisher has ended and nothing is left to classify.") var drain = false

    func validate() throws {
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        guard (DurationParser.milliseconds(ackWait) ?? 0) >= 1000 else {
            throw ValidationError("--ack-wait must be a duration of at least 1s, like 30s")
        }
    }

    func run() async throws {
        let model = try classifier.load(threads: threads)
        var options = Worker.Options(url: cluster.nats, streams: try cluster.streams())
        options.batch = batch
        options.ackWait = .milliseconds(DurationParser.milliseconds(ackWait) ?? 30_000)
        options.replicas = cluster.replicas
        options.drain = drain
        let metrics = try await serving.startMetrics()
        options.metrics = metrics?.factory
        let stop = StopSignal()
        let handlers = SignalTrap.stoppingOnSignals { stop.stop() }
        defer { for handler in handlers { handler.cancel() } }
        FileHandle.standardError.write(Data("vox: worker on \(cluster.stream) with \(model.tag)\n".utf8))
        let stats: Worker.Stats
        do {
            stats = try await Worker(stage: try ClassifyStage(classifier: model), options: options).run(
                stop: stop, notice: { FileHandle.standardError.write(Data("vox: \($0)\n".utf8)) })
        } catch let error as ClusterError {
            await metrics?.server.stop()
            throw CLIError(error.message)
        }
        await metrics?.server.stop()
        FileHandle.standardError.write(
            Data(
                String(
                    format:
                        "vox: %d posts classified (%d messages, %d redelivered) in %.1f s of model time, %.2f s of messaging\n",
                    stats.classified, stats.fetched, stats.redelivered, stats.modelSeconds, stats.messagingSeconds
                ).utf8))
    }
}
