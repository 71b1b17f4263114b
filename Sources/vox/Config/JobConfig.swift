import ArgumentParser
import Foundation
import VoxFeeds
import Yams

/// A job file: YAML that mirrors a command's options, so a long-running `vox tail` or `vox replay` is described in
/// one reviewed file (`vox tail --config job.yaml`). Keys are the options' long names (`window: 15m`,
/// `checkpoint: state/`, `dedupe: true`); `sources` lists the feeds; a nested mapping joins its keys with `-`
/// (`alert: {history: 7}` is `alert-history: 7`); a list gives a repeatable option several values (`header: [...]`);
/// `watch` is a file's path or the topics inline (`watch: {Acme: 'acme OR @acme'}`). Options on the command line
/// override the file's, and sources named on the command line replace the file's. An unknown key, or a value of
/// the wrong shape, is an error naming the key and its line.
struct JobConfig {
    /// One option of a command, as its help describes it.
    struct Option {
        var name: String
        var isFlag: Bool
        var isRepeating: Bool
        var defaultValue: String?
        var abstract: String
    }

    /// One value the file sets, with the line it is on.
    struct Entry {
        var key: String
        var values: [String]
        var line: Int
        /// Watch topics written inline (`values` holds the file they were written to).
        var inline = false
    }

    /// The file's path.
    let path: String
    /// The command's options (not help, version or the config option itself).
    let options: [Option]
    /// The feeds the file lists.
    private(set) var sources: [String] = []
    /// The options it sets, in file order.
    private(set) var entries: [Entry] = []

    /// The options of `command`, from its own help (`--experimental-dump-help`'s data).
    static func options(of command: any ParsableCommand.Type) -> [Option] {
        struct Dump: Decodable {
            struct Command: Decodable { var arguments: [Argument]? }
            struct Argument: Decodable {
                struct Name: Decodable {
                    var kind: String
                    var name: String
                }
                var kind: String
                var isRepeating: Bool
                var preferredName: Name?
                var names: [Name]?
                var defaultValue: String?
                var abstract: String?
            }
            var command: Command
        }
        guard let dump = try? JSONDecoder().decode(Dump.self, from: Data(command._dumpHelp().utf8)) else { return [] }
        return (dump.command.arguments ?? []).compactMap { argument in
            guard argument.kind != "positional",
                let long = argument.names?.first(where: { $0.kind == "long" })?.name,
                !["help", "version", "config"].contains(long), !long.hasPrefix("experimental")
            else { return nil }
            return Option(
                name: long, isFlag: argument.kind == "flag", isRepeating: argument.isRepeating,
                defaultValue: argument.defaultValue, abstract: argument.abstract ?? "")
        }
    }

    /// Reads and checks the job file at `path` against `command`'s options.
    /// - Throws: `CLIError` naming the file, and the key and line where it is wrong.
    init(path: String, for command: any ParsableCommand.Type) throws {
        self.path = path
        options = JobConfig.options(of: command)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read the job file \(path)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            throw CLIError("\(path) is not valid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        guard let root else { return }
        guard let mapping = root.mapping else {
            throw CLIError("\(path): a job file is a mapping of options (key: value), line \(JobConfig.line(root))")
        }
        for (key, value) in mapping { try add(key: key, value: value, prefix: "") }
    }

    private static func line(_ node: Node) -> Int { (node.mark?.line ?? 0) }

    private mutating func add(key node: Node, value: Node, prefix: String) throws {
        guard let name = node.scalar?.string, !name.isEmpty else {
            throw CLIError("\(path) line \(JobConfig.line(node)): keys are option names")
        }
        let key = prefix.isEmpty ? name : prefix + "-" + name
        let line = JobConfig.line(node)
        if prefix.isEmpty && key == "sources" {
            sources = try strings(value, key: key, line: line, list: true)
            return
        }
        if key == "watch", let topics = value.mapping {
            entries.removeAll { $0.key == key }
            entries.append(
                Entry(key: key, values: [try JobConfig.inlineWatch(topics, path: path)], line: line, inline: true))
            return
        }
        if let nested = value.mapping {
            for (child, childValue) in nested { try add(key: child, value: childValue, prefix: key) }
            return
        }
        guard let option = options.first(where: { $0.name == key }) else {
            throw CLIError("\(path) line \(line): unknown key '\(key)' (not an option of this command)")
        }
        entries.removeAll { $0.key == key }
        if option.isFlag {
            guard let flag = value.scalar?.string.lowercased(), ["true", "false", "yes", "no"].contains(flag) else {
                throw CLIError("\(path) line \(line): '\(key)' is a flag: write true or false")
            }
            entries.append(Entry(key: key, values: flag == "true" || flag == "yes" ? [""] : [], line: line))
            return
        }
        entries.append(
            Entry(key: key, values: try strings(value, key: key, line: line, list: option.isRepeating), line: line))
    }

    private func strings(_ node: Node, key: String, line: Int, list: Bool) throws -> [String] {
        if let scalar = node.scalar { return [scalar.string] }
        if list, let sequence = node.sequence {
            return try sequence.map { item in
                guard let scalar = item.scalar else {
                    throw CLIError("\(path) line \(JobConfig.line(item)): '\(key)' lists plain values")
                }
                return scalar.string
            }
        }
        throw CLIError("\(path) line \(line): '\(key)' takes \(list ? "a value or a list of values" : "one value")")
    }

    /// Inline watch topics, written once to a file named by their digest (the checkpoint's configuration names the
    /// queries, not the file, so a resumed job still matches).
    private static func inlineWatch(_ topics: Node.Mapping, path: String) throws -> String {
        var text = "topics:\n"
        for (name, query) in topics {
            guard let name = name.scalar?.string, let query = query.scalar?.string else {
                throw CLIError("\(path) line \(line(name)): watch topics are name: 'query' pairs")
            }
            text += "  \(JobConfig.quoted(name)): \(JobConfig.quoted(query))\n"
        }
        var hash = FNV1a()
        hash.add(text.utf8)
        let file = NSTemporaryDirectory() + "vox-watch-\(getuid())-\(String(hash.value, radix: 16)).yaml"
        do {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError("cannot write the inline watch topics of \(path) to \(file)")
        }
        return file
    }

    /// A YAML single-quoted scalar.
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// The command-line arguments the file stands for, with `commandLine` (the user's own arguments) after them:
    /// options the command line sets are dropped from the file's, and its sources replace the file's.
    func arguments(before commandLine: [String]) -> [String] {
        var given = Set<String>()
        var positionals = false
        var index = 0
        while index < commandLine.count {
            let token = commandLine[index]
            if token.hasPrefix("--") {
                let name = String(token.dropFirst(2).prefix { $0 != "=" })
                given.insert(name)
                if let option = options.first(where: { $0.name == name }), !option.isFlag, !token.contains("=") {
                    index += 1
                }
            } else if !token.hasPrefix("-") || token == "-" {
                positionals = true
            }
            index += 1
        }
        var arguments: [String] = []
        for entry in entries where !given.contains(entry.key) {
            for value in entry.values { arguments += value.isEmpty ? ["--\(entry.key)"] : ["--\(entry.key)", value] }
        }
        return arguments + (positionals ? [] : sources) + commandLine
    }

    /// Replaces `--config FILE` in the arguments of `vox replay` or `vox tail` by what the file says.
    static func expand(_ arguments: [String]) throws -> [String] {
        let commands: [String: any ParsableCommand.Type] = ["replay": ReplayCommand.self, "tail": TailCommand.self]
        guard let name = arguments.first, let command = commands[name] else { return arguments }
        var rest = Array(arguments.dropFirst())
        var file: String? = nil
        if let index = rest.firstIndex(of: "--config") {
            guard index + 1 < rest.count else { return arguments }
            file = rest[index + 1]
            rest.removeSubrange(index...(index + 1))
        } else if let index = rest.firstIndex(where: { $0.hasPrefix("--config=") }) {
            file = String(rest[index].dropFirst("--config=".count))
            rest.remove(at: index)
        }
        guard let file else { return arguments }
        return [name] + (try JobConfig(path: file, for: command)).arguments(before: rest)
    }
}
