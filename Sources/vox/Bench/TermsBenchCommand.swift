import ArgumentParser
import Foundation
import VoxModel
import VoxStream

/// `vox bench terms`: emerging terms on feeds of real tweets. Each seed shuffles the tweets into hourly windows;
/// one hour gets a burst of posts carrying a new hashtag. Measured: how often the burst's hashtag is reported in
/// its hour (and first), and how many terms ordinary hours report.
struct TermsBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terms",
        abstract: "Measure emerging terms: a burst found in real tweets, quiet hours left quiet.",
        discussion: """
            Each seed shuffles the tweets of --data into --hours hourly windows of --rate posts. In hour \
            hours − 6, --burst posts (other tweets of the file, each with the same new hashtag appended) join the \
            hour's posts. The tracker runs with the pipeline's defaults (or --terms-min-count, \
            --terms-half-life) on the `all` topic; the model is not involved. A quiet hour is any scored hour \
            (after the three-window warm-up) of the same feed without a burst.
            Example: vox bench terms --data ../shared/data/sentiment/val.jsonl --seeds 20
            """
    )

    @Option(help: ArgumentHelp("JSON Lines of tweets with a \"text\" field.", valueName: "file")) var data: String
    @Option(help: "Feeds (seeds 1…N).") var seeds = 20
    @Option(help: "Posts per hour.") var rate = 60
    @Option(help: "Hours per feed.") var hours = 30
    @Option(help: "Burst sizes to measure (comma-separated posts).") var burst = "3,5,8,12,20"
    @Option(help: "Posts of a window an emerging term must be in.") var termsMinCount = 5
    @Option(help: "Windows after which a term's baseline count weighs half.") var termsHalfLife = 24

    func validate() throws {
        guard seeds > 0, rate > 0, hours >= 8 else {
            throw ValidationError("--seeds and --rate must be positive, --hours at least 8")
        }
        guard !bursts.isEmpty, bursts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--burst must list positive post counts, e.g. 3,5,8")
        }
        guard termsMinCount >= 1, termsHalfLife >= 1 else {
            throw ValidationError("--terms-min-count and --terms-half-life must be positive")
        }
    }

    private var bursts: [Int] {
        burst.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    func run() throws {
        let tweets = try LabeledText.load(data).map(\.text)
        let needed = rate * hours + (bursts.max() ?? 0)
        guard tweets.count >= needed else {
            throw CLIError(
                "\(data) has \(tweets.count) tweets; --rate \(rate) × --hours \(hours) and the burst need \(needed)")
        }
        var options = TermTracker.Options()
        options.minimumCount = termsMinCount
        options.halfLife = termsHalfLife
        let burstHour = Int64(hours - 6)
        var quietTerms = 0
        var quietHours = 0
        var examples: [String] = []
        var table: [(burst: Int, found: Int, first: Int, others: Int)] = bursts.map { ($0, 0, 0, 0) }
        for seed in 1...seeds {
            var generator = SeededGenerator(seed: UInt64(seed))
            let shuffled = tweets.shuffled(using: &generator)
            let background = Array(shuffled.prefix(rate * hours))
            let spare = Array(shuffled.dropFirst(rate * hours))
            let tag = "#" + String((0..<8).map { _ in Character(UnicodeScalar(UInt8(97 + generator.next() % 26))) })
            let quiet = TermsBenchCommand.run(background, extra: [], at: burstHour, rate: rate, options: options)
            quietTerms += quiet.count
            quietHours += hours - TermTracker.warmup
            if seed <= 2 { examples += quiet.map { "\($0.term) (\($0.count) posts, G² \(Int($0.score)))" } }
            for (index, size) in bursts.enumerated() {
                let extra = spare.prefix(size).map { $0 + " " + tag }
                let found = TermsBenchCommand.run(background, extra: extra, at: burstHour, rate: rate, options: options)
                let inHour = found.filter { $0.windowStart == burstHour * 3_600_000 }
                if inHour.contains(where: { $0.term == tag }) { table[index].found += 1 }
                if inHour.first?.term == tag { table[index].first += 1 }
                table[index].others += inHour.filter { $0.term != tag }.count
            }
        }
        print("vox bench terms: \(seeds) feeds of \(hours) hourly windows × \(rate) tweets of \(data)")
        print("")
        print(
            "| burst posts (share of its hour) | hashtag reported in its hour | reported first | other terms in that hour (per feed) |"
        )
        print("|---|---|---|---|")
        for row in table {
            let share = String(format: "%.0f%%", 100 * Double(row.burst) / Double(rate + row.burst))
            print(
                "| \(row.burst) (\(share)) | \(row.found)/\(seeds) | \(row.first)/\(seeds) | "
                    + String(format: "%.2f", Double(row.others) / Double(seeds)) + " |")
        }
        print("")
        print(
            "Quiet hours: \(quietTerms) terms in \(quietHours) scored hours ("
                + String(format: "%.3f", Double(quietTerms) / Double(quietHours)) + " per hour).")
        if !examples.isEmpty { print("Terms of quiet hours, seeds 1–2: " + examples.joined(separator: "; ")) }
    }

    /// The emerging terms of one feed: `background` `rate` posts an hour, with `extra` spread over hour `at`.
    static func run(
        _ background: [String], extra: [String], at hour: Int64, rate: Int, options: TermTracker.Options
    ) -> [EmergingTerm] {
        let size: Int64 = 3_600_000
        var posts = background.enumerated().map { index, text in
            (text, Int64(index / rate) * size + Int64(index % rate) * size / Int64(rate))
        }
        posts += extra.enumerated().map { index, text in
            (text, hour * size + Int64(index) * size / Int64(extra.count) + 1)
        }
        posts.sort { $0.1 < $1.1 }
        var tracker = TermTracker(size: size, topics: ["all"], options: options)
        var found: [EmergingTerm] = []
        var open: Int64? = nil
        for (text, time) in posts {
            let start = time / size * size
            if let current = open, current != start { found += tracker.close(start: current) }
            open = start
            tracker.add(text: text, language: "en", at: time, topics: [0])
        }
        if let open { found += tracker.close(start: open) }
        return found
    }
}
