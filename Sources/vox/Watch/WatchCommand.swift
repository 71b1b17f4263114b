import ArgumentParser
import Foundation
import VoxStream

/// `vox watch check`: validates a watch file and shows which topics a text matches.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Work with watch-topic files.",
        discussion: "Example: vox watch check brands.yaml --text \"Delta lost my bag again\"",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a watch file (YAML or JSON) and show which topics a text matches.",
            discussion: "Example: vox watch check Samples/Data/watch.yaml --text \"new iPhone tickets\"")

        @Argument(help: "The watch file.")
        var file: String

        @Option(help: "A text to match against the topics (repeatable).")
        var text: [String] = []

        func run() throws {
            let topics: WatchTopics
            do {
                topics = try WatchTopics.load(file)
            } catch {
                throw CLIError(error.message)
            }
            print("\(file): \(topics.topics.count) topics, all valid")
            for (name, query) in topics.topics { print("  \(name): \(query)") }
            for sample in text {
                let matched = topics.matches(sample).map { topics.topics[$0].name }
                print(
                    "\(sample.debugDescription) matches: \(matched.isEmpty ? "no topic" : matched.joined(separator: ", "))"
                )
            }
        }
    }
}
