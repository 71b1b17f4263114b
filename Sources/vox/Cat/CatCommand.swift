import ArgumentParser
import Foundation
import VoxFeeds
import VoxSamples

/// `vox cat`: prints the normalised posts of one or more feeds, so users see what Vox sees.
struct CatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print the posts of feeds as normalised JSON Lines, with an exact account of every line.",
        discussion: """
            Each post prints as {"id","text","created_at","author","lang","source"}; a summary goes to stderr. \
            Every non-blank line ends as a post, a skipped non-post event, or a dead letter, so \
            lines = posts + skipped + dead letters.

            Examples:
              vox cat --sample | head -3
              vox cat dumps/2026-11-28/ --profile reddit --stats stats.json --dead-letter bad.jsonl
              vox cat https://feeds.example.com/firehose.jsonl.gz --follow --auth-env FEED_TOKEN
            """
    )

    @Argument(help: "Files, folders, globs, - (stdin), file:// or http(s):// URLs.")
    var sources: [String] = []

    @Flag(help: "Read the bundled sample feed.")
    var sample = false

    @OptionGroup var feed: FeedOptionGroup

    @Option(help: ArgumentHelp("Write the summary as JSON to this file.", valueName: "file"))
    var stats: String?

    @Option(help: ArgumentHelp("Append dead-letter records to this JSON Lines file.", valueName: "file"))
    var deadLetter: String?

    @Flag(help: "Print only the summary, not the posts.")
    var quiet = false

    func validate() throws {
        if sources.isEmpty && !sample { throw ValidationError("name at least one source, or use --sample") }
    }

    func run() async throws {
        var names = sources
        if sample {
            guard let path = VoxSamples.feedPath else {
                throw CLIError("the bundled sample feed is missing from this build")
            }
            names.append(path)
        }
        let (resolved, options) = try feed.resolve(names)
        let quiet = quiet
        let deadLetterPath = deadLetter
        let result = try await SignalTrap.cancellingOnSignals {
            try await CatCommand.cat(
                Feed(sources: resolved, options: options), quiet: quiet, deadLetterPath: deadLetterPath)
        }
        FileHandle.standardError.write(Data((result.summary + "\n").utf8))
        if let stats {
            try Data((result.json() + "\n").utf8).write(to: URL(fileURLWithPath: stats), options: .atomic)
        }
        if !result.allSourcesSucceeded { throw ExitCode(1) }
    }

    private static func cat(_ feed: Feed, quiet: Bool, deadLetterPath: String?) async throws -> IngestStats {
        let output = OutputFile.standardOutput()
        let deadLetters = try deadLetterPath.map(OutputFile.appending(to:))
        let stats = try await feed.run { event in
            switch event {
            case .batch(let batch):
                if !quiet {
                    for post in batch.posts { output.writeLine { RecordJSON.append(post, to: &$0) } }
                    output.flush()
                    if output.broken { throw FeedStop() }
                }
                for letter in batch.deadLetters { deadLetters?.writeLine { RecordJSON.append(letter, to: &$0) } }
                if deadLetters?.broken == true { throw FeedStop() }
            case .notice(let index, let message):
                FileHandle.standardError.write(Data("vox: [\(feed.sources[index].name)] \(message)\n".utf8))
            case .finished(_, let error?, _):
                FileHandle.standardError.write(Data("vox: error: \(error.message)\n".utf8))
            case .profile, .reconnected, .finished:
                break
            }
        }
        // A failed write (a full disk) is an error with a non-zero exit; a reader that went away is not.
        try output.finish()
        try deadLetters?.finish()
        return stats
    }
}
