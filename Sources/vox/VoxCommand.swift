import ArgumentParser
import VoxFeeds

/// The `vox` command: streaming sentiment and topic analysis of social-media feeds.
@main
struct VoxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vox",
        abstract: "Streaming sentiment and topic analysis of social-media feeds.",
        discussion: """
            Vox reads gzip'd JSON Lines feeds (X/Twitter v2, Reddit, Mastodon, Bluesky Jetstream, or any \
            JSON Lines with a generic mapping) from files, folders, globs, stdin or HTTP(S), live or archived.

            Examples:
              vox replay --sample                             windows, topics and reports for the bundled feed
              vox cat --sample | head -3                      print normalised posts of the bundled feed
              vox model pull                                  fetch the base encoder (SHA-256 verified)
              echo '{"text":"great flight"}' | vox classify   sentiment and topic with probabilities
              vox eval --task sentiment --data val.jsonl      accuracy, recall, F1, confusion matrix
              vox train --epochs 2 --output my-model          fine-tune the heads (LoRA) in Swift
              echo '{"text":"great flight"}' | vox embed      sentence embeddings (384 floats)
              vox bench ingest --size-mb 200                  ingest throughput against inflate-only
              vox bench model --peer                          encoder throughput against ONNX Runtime
            """,
        version: VoxVersion.current,
        subcommands: [
            ReplayCommand.self, TailCommand.self, PublishCommand.self, WorkerCommand.self, AggregateCommand.self,
            ServeCommand.self, ReportCommand.self, WatchCommand.self,
            CatCommand.self,
            ClassifyCommand.self,
            EvalCommand.self,
            EmbedCommand.self,
            TrainCommand.self, LabelCommand.self, AdaptCommand.self,
            ModelCommand.self, BenchCommand.self, ConfigCommand.self, DoctorCommand.self,
        ]
    )

    /// Runs the command line, with a job file's options in place of `--config FILE` (`vox tail`, `vox replay`).
    static func main() async {
        let arguments: [String]
        do {
            arguments = try JobConfig.expand(Array(CommandLine.arguments.dropFirst()))
        } catch {
            exit(withError: error)
        }
        await main(arguments)
    }
}
