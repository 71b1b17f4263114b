import ArgumentParser
import Foundation
import VoxFeeds
import VoxModel
import VoxStream

/// `vox report`: re-aggregates stored windows for any range, e.g. hourly windows into a daily report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Re-aggregate a run's windows over a range and period, as CSV, JSON Lines, Markdown or HTML (the last two "
            + "with the run's emerging terms).",
        discussion: "Example: vox report --in vox-out --every 1d --topic all --topic Apple --format md"
    )

    @Option(
        name: .customLong("in"), help: ArgumentHelp("A run's output folder (holding windows.jsonl).", valueName: "dir"))
    var input = "vox-out"
    @Option(help: "Keep windows starting at or after this time (ISO-8601).") var from: String?
    @Option(help: "Keep windows ending at or before this time (ISO-8601).") var to: String?
    @Option(help: "Period of the report's rows (e.g. 1h, 1d).") var every = "1d"
    @Option(help: "Keep only this topic (repeatable).") var topic: [String] = []
    @Option(help: "csv, json, md, or html (self-contained, with inline charts).") var format = "csv"
    @Option(
        help: ArgumentHelp(
            "Correct shares with this adapted model's domain estimate (default: the one in the run's run.json).",
            valueName: "dir"))
    var model: String?

    func validate() throws {
        guard ["csv", "json", "md", "html"].contains(format) else {
            throw ValidationError("--format must be csv, json, md or html")
        }
        guard (DurationParser.milliseconds(every) ?? 0) > 0 else {
            throw ValidationError("--every '\(every)' is not a duration like 1h or 1d")
        }
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, ReportCommand.time(value) == nil {
                throw ValidationError("\(name) '\(value)' is not an ISO-8601 time")
            }
        }
    }

    /// The domain estimate of `--model`, or the one the run recorded in `run.json`, if any.
    func domainEstimate() throws -> DomainEstimate? {
        if let model {
            do {
                guard let domain = try ClassifierArtifact.load(directory: model).domain else {
                    throw CLIError("\(model) is not an adapted model (no domain estimate): run vox adapt first")
                }
                return domain
            } catch let error as ModelError {
                throw CLIError(error.message)
            }
        }
        guard let data = FileManager.default.contents(atPath: input + "/run.json"),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let estimate = object["domain_estimate"], !(estimate is NSNull)
        else { return nil }
        do {
            return try JSONDecoder().decode(
                DomainEstimate.self, from: JSONSerialization.data(withJSONObject: estimate))
        } catch {
            throw CLIError("\(input)/run.json has a malformed domain_estimate: \(ErrorText.line(error))")
        }
    }

    static func time(_ text: String) -> Int64? { Array(text.utf8).withUnsafeBufferPointer(Timestamp.parseISO8601) }

    func run() throws {
        let path = input + "/windows.jsonl"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read \(path): run vox replay or tail with --format jsonl or both first")
        }
        let report: WindowReport
        let domain = try domainEstimate()
        let start = from.flatMap(ReportCommand.time)
        let end = to.flatMap(ReportCommand.time)
        let period = DurationParser.milliseconds(every) ?? 86_400_000
        let topics = topic.isEmpty ? nil : Set(topic)
        do {
            report = try WindowReport(
                windowsJSONL: String(decoding: data, as: UTF8.self), from: start, to: end, every: period,
                topics: topics, domain: domain)
        } catch {
            throw CLIError(error.message)
        }
        // Markdown and HTML reports carry the run's emerging terms, when it wrote any (older runs did not).
        var terms: TermReport? = nil
        if format == "md" || format == "html", let data = FileManager.default.contents(atPath: input + "/terms.jsonl") {
            do {
                terms = try TermReport(
                    termsJSONL: String(decoding: data, as: UTF8.self), from: start, to: end, every: period,
                    topics: topics)
            } catch {
                throw CLIError(error.message)
            }
        }
        switch format {
        case "json": print(report.jsonLines, terminator: "")
        case "md": print(report.markdown + (terms?.markdown ?? ""), terminator: "")
        case "html": print(report.html(title: "Vox report: \(input)", terms: terms), terminator: "")
        default: print(report.csv, terminator: "")
        }
    }
}
