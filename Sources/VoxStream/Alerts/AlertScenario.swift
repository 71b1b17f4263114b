import Foundation
import VoxModel

/// A generated feed for measuring alerts: hourly counts of several brand topics over some days, with a day/night
/// cycle (10× between the quietest and the busiest hour), day-to-day and hour-to-hour noise on the volume
/// (log-normal, then Poisson) and on the negative share (normal, then binomial), and optionally injected incidents.
/// Deterministic for a seed. `vox bench alerts` turns the counts into posts; the tests feed them to the detector.
public struct AlertScenario: Sendable {
    /// A brand topic: its mean posts per hour over the day and its usual negative share.
    public struct Topic: Sendable {
        public var name: String
        public var postsPerHour: Double
        public var negativeShare: Double
    }

    /// An injected incident.
    public struct Injection: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// Volume times `factor` for the hours.
            case volume(factor: Double)
            /// Negative share plus `points` (a share) for the hours.
            case share(points: Double)
            /// Negative share rising linearly by `points` over the hours, then staying there.
            case drift(points: Double)
        }

        public var name: String
        public var topic: String
        public var kind: Kind
        /// First hour affected (hours since the scenario's start) and how many hours.
        public var hour: Int
        public var hours: Int
        /// Hours after `hour` by which an alert must have come.
        public var deadline: Int
    }

    /// One topic's counts in one hour.
    public struct Cell: Sendable, Equatable {
        public var topic: String
        public var posts: Int
        public var negative: Int
    }

    /// The first hour's start (milliseconds since the epoch).
    public var start: Int64
    public var days: Int
    public var topics: [Topic]
    public var injections: [Injection]

    /// The committed scenario: four brands over ten days from 2026-11-01, with the three incidents of the issue
    /// (`incidents: false` gives the same feed without them).
    public static func standard(incidents: Bool) -> AlertScenario {
        let topics = [
            Topic(name: "Acme", postsPerHour: 400, negativeShare: 0.25),
            Topic(name: "Globex", postsPerHour: 150, negativeShare: 0.30),
            Topic(name: "Initech", postsPerHour: 30, negativeShare: 0.20),
            Topic(name: "Umbrella", postsPerHour: 10, negativeShare: 0.35),
        ]
        let injections = [
            Injection(
                name: "volume ×3 for one hour", topic: "Initech", kind: .volume(factor: 3), hour: 4 * 24 + 11,
                hours: 1, deadline: 1),
            Injection(
                name: "negative share +20 points for two hours", topic: "Globex", kind: .share(points: 0.20),
                hour: 5 * 24 + 13, hours: 2, deadline: 1),
            Injection(
                name: "negative share drifting +10 points over two days", topic: "Acme",
                kind: .drift(points: 0.10), hour: 7 * 24, hours: 48, deadline: 24),
        ]
        return AlertScenario(
            start: 1_793_491_200_000, days: 10, topics: topics, injections: incidents ? injections : [])
    }

    /// The day/night cycle: 1 at the quietest hour (03:00 UTC), 10 at the busiest (15:00), mean 1 over a day.
    public static func cycle(hour: Int) -> Double {
        let phase = 2 * Double.pi * Double(hour - 15) / 24
        return (1 + 9 * (1 + cos(phase)) / 2) / 5.5
    }

    /// Every hour's cells, topic by topic, for a seed.
    public func hours(seed: UInt64) -> [[Cell]] {
        var random = SeededGenerator(seed: seed)
        var dayLevel: [[Double]] = []
        for _ in 0..<days {
            dayLevel.append(topics.map { _ in exp(0.1 * AlertScenario.normal(&random)) })
        }
        var dayShift: [[Double]] = []
        for _ in 0..<days { dayShift.append(topics.map { _ in 0.005 * AlertScenario.normal(&random) }) }
        var result: [[Cell]] = []
        for hour in 0..<(days * 24) {
            var cells: [Cell] = []
            for (index, topic) in topics.enumerated() {
                var rate = topic.postsPerHour * AlertScenario.cycle(hour: hour % 24) * dayLevel[hour / 24][index]
                rate *= exp(0.1 * AlertScenario.normal(&random))
                var share = topic.negativeShare + dayShift[hour / 24][index]
                for injection in injections where injection.topic == topic.name && hour >= injection.hour {
                    let into = hour - injection.hour
                    switch injection.kind {
                    case .volume(let factor) where into < injection.hours: rate *= factor
                    case .share(let points) where into < injection.hours: share += points
                    case .drift(let points): share += points * min(1, Double(into + 1) / Double(injection.hours))
                    default: break
                    }
                }
                let posts = AlertScenario.poisson(rate, &random)
                let negative = (0..<posts).reduce(0) { count, _ in
                    count + (Double.random(in: 0..<1, using: &random) < share ? 1 : 0)
                }
                cells.append(Cell(topic: topic.name, posts: posts, negative: negative))
            }
            result.append(cells)
        }
        return result
    }

    /// A standard normal draw (Box–Muller).
    static func normal(_ random: inout SeededGenerator) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &random)
        let v = Double.random(in: 0..<1, using: &random)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// A Poisson draw: by multiplication for small means, a rounded normal for large ones.
    static func poisson(_ mean: Double, _ random: inout SeededGenerator) -> Int {
        if mean > 50 { return max(0, Int((mean + mean.squareRoot() * normal(&random)).rounded())) }
        let limit = exp(-mean)
        var product = Double.random(in: 0..<1, using: &random)
        var count = 0
        while product > limit {
            product *= Double.random(in: 0..<1, using: &random)
            count += 1
        }
        return count
    }
}

extension AlertScenario {
    /// How the alerts of a run compare with the injected incidents.
    public struct Evaluation: Sendable {
        /// Per injection, the hours from its start to its topic's first alert (nil when none came in time).
        public var detected: [(injection: Injection, after: Int?)]
        /// Alerts no injection explains.
        public var falseAlarms: [Alert]
        /// Incidents the alerts form.
        public var incidents: Int

        /// Whether every injection was caught by its deadline and nothing else alerted.
        public var passed: Bool { falseAlarms.isEmpty && detected.allSatisfy { $0.after != nil } }
    }

    /// The hour (since the scenario's start) a time falls in.
    public func hour(of millis: Int64) -> Int { Int((millis - start) / 3_600_000) }

    /// Scores alerts: an injection is caught by an alert on its topic starting within its deadline; an alert on
    /// the injection's topic or on `all` from its start until a day after it ends is explained by it; any other
    /// alert is a false alarm.
    public func evaluate(_ alerts: [Alert]) -> Evaluation {
        let detected = injections.map { injection in
            let first = alerts.first {
                $0.topic == injection.topic && hour(of: $0.windowStart) >= injection.hour
                    && hour(of: $0.windowStart) < injection.hour + injection.deadline
            }
            return (injection: injection, after: first.map { hour(of: $0.windowStart) - injection.hour })
        }
        let falseAlarms = alerts.filter { alert in
            !injections.contains { injection in
                let at = hour(of: alert.windowStart)
                return (alert.topic == injection.topic || alert.topic == "all") && at >= injection.hour
                    && at < injection.hour + injection.hours + 24
            }
        }
        return Evaluation(
            detected: detected, falseAlarms: falseAlarms, incidents: Set(alerts.map(\.incident)).count)
    }

    /// Runs the scenario's hours through a detector, each hour's rows `all` then the topics.
    public func alerts(seed: UInt64, options: AlertDetector.Options = .init()) -> [Alert] {
        var detector = AlertDetector(options: options)
        var raised: [Alert] = []
        for (index, cells) in hours(seed: seed).enumerated() {
            let windowStart = start + Int64(index) * 3_600_000
            let posts = cells.reduce(0) { $0 + $1.posts }
            let negative = cells.reduce(0) { $0 + $1.negative }
            let rows: [(topic: String, counts: TopicHistory.Counts)] =
                [("all", .init(posts: posts, negative: negative, classified: posts))]
                + cells.map { ($0.topic, .init(posts: $0.posts, negative: $0.negative, classified: $0.posts)) }
            raised += detector.observe(windowStart: windowStart, windowEnd: windowStart + 3_600_000, rows: rows)
        }
        return raised
    }
}
