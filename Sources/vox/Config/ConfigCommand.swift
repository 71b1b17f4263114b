import ArgumentParser
import Foundation
import VoxStream

/// `vox config check`: validates a job file for `vox tail` or `vox replay` and prints the configuration a job would
/// run with, the file's values and every default.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check job files (YAML mirroring the options of vox tail and vox replay).",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a job file and print the effective configuration (defaults marked).",
            discussion: "Example: vox config check Samples/job.yaml --for tail"
        )

        @Argument(help: ArgumentHelp("The job file.", valueName: "file")) var file: String
        @Option(name: .customLong("for"), help: "The command the file is for: tail or replay.") var command = "tail"

        func validate() throws {
            guard ["tail", "replay"].contains(command) else { throw ValidationError("--for must be tail or replay") }
        }

        func run() throws {
            let type: any ParsableCommand.Type = command == "tail" ? TailCommand.self : ReplayCommand.self
            let job = try JobConfig(path: file, for: type)
            let arguments = job.arguments(before: [])
            do {
                _ = try type.parse(arguments)
            } catch {
                let message = type.message(for: error)
                let entry = job.entries.first { message.contains("--\($0.key) ") || message.contains("--\($0.key)'") }
                throw CLIError("\(file)\(entry.map { " line \($0.line)" } ?? ""): \(message)")
            }
            var topics: [String]? = nil
            if let watch = job.entries.last(where: { $0.key == "watch" }) {
                do {
                    let loaded = try WatchTopics.load(watch.values.first ?? "")
                    if watch.inline {
                        topics = loaded.topics.map {
                            "  \(JobConfig.quoted($0.name)): \(JobConfig.quoted("\($0.query)"))"
                        }
                    }
                } catch {
                    throw CLIError("\(file) line \(watch.line): watch: \(error.message)")
                }
            }
            var lines = ["# vox \(command): the configuration \(file) gives (\"# default\": not in the file)"]
            lines.append("sources:" + (job.sources.isEmpty ? " []" : ""))
            lines += job.sources.map { "  - " + JobConfig.quoted($0) }
            for option in job.options {
                let set = job.entries.last { $0.key == option.name }
                if let topics, option.name == "watch" {
                    lines += ["watch:"] + topics
                } else if option.isFlag {
                    lines.append(
                        "\(option.name): \(set.map { !$0.values.isEmpty } ?? false)" + (set == nil ? "  # default" : "")
                    )
                } else if let set {
                    lines.append(
                        option.isRepeating
                            ? "\(option.name): [" + set.values.map(JobConfig.quoted).joined(separator: ", ") + "]"
                            : "\(option.name): \(JobConfig.quoted(set.values.first ?? ""))")
                } else {
                    lines.append(
                        "\(option.name): " + (option.defaultValue.map(JobConfig.quoted) ?? "null") + "  # default")
                }
            }
            print(lines.joined(separator: "\n"))
        }
    }
}
