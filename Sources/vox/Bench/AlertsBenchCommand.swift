import ArgumentParser
import Foundation
import VoxFeeds
import VoxStream

/// `vox bench alerts`: the alert detector on the generated feed of `AlertScenario` (ten days, four brands, a 10×
/// day/night cycle, noise), without and with injected incidents, over many seeds; the seasonal baseline side by
/// side with the trailing one (`--alert-season none`).
struct AlertsBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Measure alerts on a generated feed with a daily cycle, without and with injected incidents.",
        discussion: """
            The feed: ten days from 2026-11-01 of four brands (400, 150, 30 and 10 posts per hour on average, \
            negative shares 25%, 30%, 20%, 35%), 10× between the quietest and the busiest hour, with day-to-day and \
            hour-to-hour noise on volume and share. Incidents: Initech volume ×3 for one hour (day 4, 11:00), \
            Globex negative share +20 points for two hours (day 5, 13:00), Acme's negative share drifting up 10 \
            points over two days (from day 7). An incident is caught when its topic alerts within its first window \
            (the drift within its first day); any alert not on the incident's topic or `all` between its start and \
            a day after its end is a false alarm. The feeds' hourly counts go straight to the detector (the model \
            is not involved); --write-feed also writes one seed's feed as posts and a watch file to replay.
            Example: vox bench alerts --seeds 30
            """
    )

    @Option(help: "Feeds generated (seeds 1…N), each without and with incidents.") var seeds = 30
    @Option(
        help: ArgumentHelp(
            "Also write seed 1's feed with incidents as posts (feed.jsonl) and watch.yaml here.", valueName: "dir"))
    var writeFeed: String?
    @OptionGroup(title: "Alerts") var alerts: AlertOptionGroup

    func validate() throws {
        guard seeds > 0 else { throw ValidationError("--seeds must be positive") }
    }

    func run() throws {
        let tuned = alerts.detectorOptions()
        var trailing = tuned
        trailing.season = .none
        print("vox bench alerts: \(seeds) generated feeds of 10 days (seeds 1…\(seeds)), hourly windows")
        print("")
        print(
            "| baseline | quiet feed: false alarms (feeds with any) | with incidents: volume ×3 caught | +20 points caught | drift caught within a day (median hours) | false alarms | incidents per feed |"
        )
        print("|---|---|---|---|---|---|---|")
        for (name, options) in [("seasonal (\(tuned.season.rawValue))", tuned), ("trailing windows (none)", trailing)] {
            print(row(name, options))
        }
        if let writeFeed {
            let written = try AlertsBenchCommand.write(AlertScenario.standard(incidents: true), seed: 1, to: writeFeed)
            print("")
            print(
                "vox: wrote \(written) posts to \(writeFeed)/feed.jsonl and the watch topics to \(writeFeed)/watch.yaml"
            )
        }
    }

    private func row(_ name: String, _ options: AlertDetector.Options) -> String {
        let quiet = AlertScenario.standard(incidents: false)
        let loud = AlertScenario.standard(incidents: true)
        var quietAlarms = 0
        var quietFeeds = 0
        var caught = [Int](repeating: 0, count: loud.injections.count)
        var driftHours: [Int] = []
        var loudAlarms = 0
        var incidents = 0
        for seed in 1...UInt64(seeds) {
            let alarms = quiet.evaluate(quiet.alerts(seed: seed, options: options)).falseAlarms.count
            quietAlarms += alarms
            quietFeeds += alarms > 0 ? 1 : 0
            let evaluation = loud.evaluate(loud.alerts(seed: seed, options: options))
            for (index, result) in evaluation.detected.enumerated() {
                guard let after = result.after else { continue }
                caught[index] += 1
                if index == 2 { driftHours.append(after) }
            }
            loudAlarms += evaluation.falseAlarms.count
            incidents += evaluation.incidents
        }
        let median = driftHours.sorted()[safe: driftHours.count / 2].map { "\($0)" } ?? "–"
        let mean = String(format: "%.1f", Double(incidents) / Double(seeds))
        return "| \(name) | \(quietAlarms) (\(quietFeeds)) | \(caught[0])/\(seeds) | \(caught[1])/\(seeds) | "
            + "\(caught[2])/\(seeds) (\(median) h) | \(loudAlarms) | \(mean) |"
    }

    /// Writes the scenario's posts (X v2 lines, texts of a clear sentiment naming the brand) and its watch topics.
    static func write(_ scenario: AlertScenario, seed: UInt64, to folder: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let negative = [
            "still waiting for my refund from %@, this is awful", "%@ support is useless, worst experience ever",
            "so angry at %@ right now, my order never arrived", "%@ broke again. terrible, I hate this",
        ]
        let other = [
            "love the new %@ update, great job!", "thanks %@, amazing service today", "%@ store opens at 9 on monday",
            "%@ announced their quarterly results this morning",
        ]
        var lines: [String] = []
        var count = 0
        var used: [String: Int] = [:]
        for (hour, cells) in scenario.hours(seed: seed).enumerated() {
            let start = scenario.start + Int64(hour) * 3_600_000
            var posts: [(time: Int64, topic: String, negative: Bool)] = []
            for cell in cells {
                for index in 0..<cell.posts {
                    // Negatives spread evenly through the hour.
                    let isNegative = (index + 1) * cell.negative / cell.posts > index * cell.negative / cell.posts
                    let time = start + Int64(index) * 3_600_000 / Int64(cell.posts)
                    posts.append((time, cell.topic, isNegative))
                }
            }
            for post in posts.sorted(by: { ($0.time, $0.topic) < ($1.time, $1.topic) }) {
                // Each brand cycles through each class's templates, so every hour has the same mix of texts.
                let key = post.topic + (post.negative ? "-" : "+")
                let turn = used[key, default: 0]
                used[key] = turn + 1
                let template = post.negative ? negative[turn % negative.count] : other[turn % other.count]
                count += 1
                let fields = JSONText.object([
                    ("id", JSONText.quote("\(seed)-\(count)")),
                    ("text", JSONText.quote(String(format: template, post.topic))),
                    ("created_at", JSONText.quote(Timestamp.format(millis: post.time))), ("lang", JSONText.quote("en")),
                ])
                lines.append(JSONText.object([("data", fields)]))
            }
        }
        let body = Data((lines.joined(separator: "\n") + "\n").utf8)
        try body.write(to: URL(fileURLWithPath: folder + "/feed.jsonl"))
        let watch =
            "topics:\n" + scenario.topics.map { "  \($0.name): '\($0.name.lowercased())'" }.joined(separator: "\n")
        try Data((watch + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/watch.yaml"))
        return count
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
