import ArgumentParser
import Foundation
import Logging

/// How a long-running command logs: `--log-level` and `--log-format text|json`.
struct LogOptionGroup: ParsableArguments {
    @Option(help: "Least level logged: trace, debug, info, notice, warning, error or critical.") var logLevel = "info"
    @Option(help: "Log lines as text (for people) or json (one object per line, for log shippers).")
    var logFormat = "text"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "--log-level must be one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard LineLogHandler.Format(rawValue: logFormat) != nil else {
            throw ValidationError("--log-format must be text or json")
        }
    }

    /// Whether lines are for a person at a terminal (text on a terminal): the status line may then be redrawn.
    var interactive: Bool { logFormat == "text" && isatty(2) != 0 }

    /// A logger labelled `label` writing to standard error as these options say.
    func logger(_ label: String) -> Logger {
        let format = LineLogHandler.Format(rawValue: logFormat) ?? .text
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let clears = interactive
        return Logger(label: label) { label in
            LineLogHandler(label: label, format: format, level: level, clearsStatusLine: clears)
        }
    }
}
