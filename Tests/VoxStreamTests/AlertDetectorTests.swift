import Foundation
import Testing
import VoxFeeds

@testable import VoxStream

/// Seasonal alerts: the tail probabilities against brute-force sums, the generated feed of `AlertScenario` (ten
/// days with a 10× day/night cycle and noise, with and without incidents) over thirty seeds, and latching,
/// incidents, warm-up and checkpoints on small hand-made series.
@Suite struct AlertDetectorTests {
    static let hour: Int64 = 3_600_000
    static let seeds = UInt64(1)...30

    // MARK: Tail probabilities

    private static func bruteUpperTail(_ x: Int, to last: Int, _ pmf: (Int) -> Double) -> Double {
        (x...last).reduce(0) { $0 + pmf($1) }
    }

    @Test func tailProbabilitiesMatchDirectSums() {
        for (x, mean) in [(10, 3.0), (25, 12.5), (120, 80.0)] {
            let direct = AlertDetectorTests.bruteUpperTail(x, to: x + 400) {
                exp(Double($0) * log(mean) - mean - lgamma(Double($0) + 1))
            }
            let tail = TailProbability.poissonUpperTail(x, mean: mean)
            #expect(abs(tail - direct) <= 1e-9 * direct, "Poisson(\(mean)) ≥ \(x)")
        }
        // Negative binomial with mean 40 and variance 100.
        let p = 0.4
        let r = 40 * p / (1 - p)
        let negativeBinomial = AlertDetectorTests.bruteUpperTail(90, to: 2000) { k in
            let kD = Double(k)
            let coefficient: Double = lgamma(kD + r) - lgamma(r) - lgamma(kD + 1)
            let powers: Double = r * log(p) + kD * log(1 - p)
            return exp(coefficient + powers)
        }
        let tail = TailProbability.countUpperTail(90, mean: 40, variance: 100)
        #expect(abs(tail - negativeBinomial) <= 1e-9 * negativeBinomial)
        // Beta-binomial: 60 of 150 when the baseline was 300 of 1,000.
        let (n, a, b) = (150, 300.5, 700.5)
        let betaBinomial = AlertDetectorTests.bruteUpperTail(60, to: n) { k in
            let kD = Double(k)
            let nD = Double(n)
            let choose: Double = lgamma(nD + 1) - lgamma(kD + 1) - lgamma(nD - kD + 1)
            let beta: Double = lgamma(kD + a) + lgamma(nD - kD + b) - lgamma(nD + a + b)
            let normaliser: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
            return exp(choose + beta + normaliser)
        }
        let share = TailProbability.betaBinomialUpperTail(60, of: n, a: a, b: b)
        #expect(abs(share - betaBinomial) <= 1e-9 * betaBinomial)
        #expect(TailProbability.poissonUpperTail(2, mean: 5) == 1)  // at or below the mean: never significant
        #expect(TailProbability.betaBinomialUpperTail(151, of: 150, a: 1, b: 1) == 0)
    }

    // MARK: The generated feed

    @Test func aQuietFeedWithADailyCycleRaisesNoAlertsAfterTheWarmup() {
        let quiet = AlertScenario.standard(incidents: false)
        var falseAlarms: [String] = []
        for seed in AlertDetectorTests.seeds {
            falseAlarms += quiet.evaluate(quiet.alerts(seed: seed)).falseAlarms.map {
                "seed \(seed): \($0.topic) at hour \(quiet.hour(of: $0.windowStart)): \($0.what)"
            }
        }
        #expect(quiet.evaluate(quiet.alerts(seed: 1)).falseAlarms.isEmpty)
        // Thirty feeds of ten days, five rows each: at most one alert in all of them.
        #expect(falseAlarms.count <= 1, "\(falseAlarms)")
    }

    @Test func eachInjectedIncidentAlertsInTime() {
        let loud = AlertScenario.standard(incidents: true)
        let alerts = loud.alerts(seed: 1)
        let first = loud.evaluate(alerts)
        #expect(first.passed, "\(first.detected.map(\.after)) \(first.falseAlarms.map(\.what))")
        // Each injection's first alert opens an incident of its own.
        let opening = loud.injections.compactMap { injection in
            alerts.first { $0.topic == injection.topic && loud.hour(of: $0.windowStart) >= injection.hour }
        }
        #expect(opening.count == 3)
        #expect(Set(opening.map(\.incident)).count == 3)
        var caught = [0, 0, 0]
        var falseAlarms = 0
        for seed in AlertDetectorTests.seeds {
            let evaluation = loud.evaluate(loud.alerts(seed: seed))
            for (index, result) in evaluation.detected.enumerated() where result.after != nil { caught[index] += 1 }
            falseAlarms += evaluation.falseAlarms.count
        }
        // Volume ×3 for an hour and +20 points for two hours: caught in their first window in 29 of 30 feeds; the
        // +10-point drift over two days within its first day in at least 22 of 30.
        #expect(caught[0] >= 29 && caught[1] >= 29 && caught[2] >= 22, "\(caught)")
        #expect(falseAlarms <= 3)
    }

    // MARK: Hand-made series

    /// A detector fed `days` days of a flat hourly series (100 posts, 20 negative) on topics A and B.
    private func flat(days: Int, options: AlertDetector.Options = .init()) -> AlertDetector {
        var detector = AlertDetector(options: options)
        for hour in 0..<(days * 24) { _ = observe(&detector, hour: hour) }
        return detector
    }

    private func observe(
        _ detector: inout AlertDetector, hour: Int, a: (Int, Int) = (100, 20), b: (Int, Int) = (100, 20)
    ) -> [Alert] {
        let start = Int64(hour) * AlertDetectorTests.hour
        return detector.observe(
            windowStart: start, windowEnd: start + AlertDetectorTests.hour,
            rows: [
                ("A", .init(posts: a.0, negative: a.1, classified: a.0)),
                ("B", .init(posts: b.0, negative: b.1, classified: b.0)),
            ])
    }

    @Test func nothingBeforeTheWarmup() {
        var detector = flat(days: 2)
        #expect(observe(&detector, hour: 48, a: (1000, 900)).isEmpty)  // two days of history, three needed
        var ready = flat(days: 3)
        #expect(observe(&ready, hour: 72, a: (1000, 900)).map(\.kind) == [.volume, .negativeShare])
    }

    @Test func simultaneousAlertsFormOneIncidentAndALatchedAlertDoesNotRepeat() {
        var detector = flat(days: 4)
        let spike = observe(&detector, hour: 96, a: (400, 80), b: (100, 60))
        #expect(spike.map(\.topic) == ["A", "B"])
        #expect(spike.map(\.kind) == [.volume, .negativeShare])
        #expect(Set(spike.map(\.incident)) == [1])
        #expect(spike.allSatisfy { $0.opensIncident })
        let incidents = Incident.grouping(spike)
        #expect(incidents.count == 1)
        #expect(incidents.first?.json.hasPrefix(#"{"incident":1,"window_start":"#) == true)
        #expect(incidents.first?.summary.contains("A: volume 400 posts") == true)
        // B stays high: latched, no second alert; A's share rises the next hour and joins incident 1.
        let next = observe(&detector, hour: 97, a: (100, 70), b: (100, 60))
        #expect(next.map(\.topic) == ["A"])
        #expect(next.first?.incident == 1)
        #expect(next.first?.opensIncident == false)
        // Back to normal (the pooled spans stay significant, and latched, for a day), then a new spike: a new
        // incident.
        for hour in 98..<126 { #expect(observe(&detector, hour: hour).isEmpty) }
        let later = observe(&detector, hour: 126, a: (500, 100))
        #expect(later.map(\.incident) == [2])
        #expect(later.first?.json.contains(#""kind":"volume","value":500.0000"#) == true)
        // The expectation is the same hour's mean (100) scaled by the day's level, which the spike a day earlier,
        // now in the baseline of the hours before, lowers a little.
        #expect((later.first?.baseline ?? 0) > 85 && (later.first?.baseline ?? 0) <= 100)
    }

    @Test func aCheckpointedDetectorRaisesTheSameAlerts() throws {
        let loud = AlertScenario.standard(incidents: true)
        let whole = loud.alerts(seed: 2)
        var detector = AlertDetector()
        var alerts: [Alert] = []
        for (index, cells) in loud.hours(seed: 2).enumerated() {
            if index == 130 {
                detector = try JSONDecoder().decode(AlertDetector.self, from: JSONEncoder().encode(detector))
            }
            let start = loud.start + Int64(index) * AlertDetectorTests.hour
            let posts = cells.reduce(0) { $0 + $1.posts }
            let negative = cells.reduce(0) { $0 + $1.negative }
            let rows: [(topic: String, counts: TopicHistory.Counts)] =
                [("all", .init(posts: posts, negative: negative, classified: posts))]
                + cells.map { ($0.topic, .init(posts: $0.posts, negative: $0.negative, classified: $0.posts)) }
            alerts += detector.observe(windowStart: start, windowEnd: start + AlertDetectorTests.hour, rows: rows)
        }
        #expect(!whole.isEmpty)
        #expect(alerts == whole)
    }

    @Test func corruptHistoryAndTuningAreRefused() throws {
        let json = Data(#"[5, 9, 3]"#.utf8)  // more negative than classified posts
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TopicHistory.Counts.self, from: json) }
        let saved = try JSONEncoder().encode(AlertDetector())
        let text = String(decoding: saved, as: UTF8.self)
        #expect(text.contains(#""history":7"#))
        for bad in [#""history":0"#, #""history":-4"#, #""history":100000"#] {
            let tampered = Data(text.replacingOccurrences(of: #""history":7"#, with: bad).utf8)
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(AlertDetector.self, from: tampered) }
        }
        #expect(throws: Never.self) { try JSONDecoder().decode(AlertDetector.self, from: saved) }
    }
}
