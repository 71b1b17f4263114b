import VoxFeeds

/// Alerts without the noise. Per topic, each closed window is compared with a seasonal baseline: the same time of
/// day (or of week) over the last `history` periods, so the morning ramp of the daily cycle is expected, not news.
///
/// - **Volume**: the window's posts against the mean of the same window in past periods, scaled by the day's level,
///   tested as a count (Poisson, widened to a negative binomial by the topic's overdispersion and by the uncertainty
///   of the mean), with a minimum ratio and a minimum excess.
/// - **Negative share**: the share over the window alone and over the windows pooled back 3, 6, 12 and 24 hours
///   (for slow drifts), each against the same windows of past periods (beta-binomial, and a normal tail widened by
///   the day-to-day spread of shares), with a minimum rise; the most significant span is reported.
///
/// The tests are in `AlertDetector+Significance.swift`. A topic's alert of one kind fires once and then stays latched
/// while its rise stays significant, re-arming after `cooldown` windows without one; once re-armed, a share alert
/// pools only windows after the last one it reported. Alerts raised in one window, or while an incident is still
/// active, share an incident number. The detector sees closed windows in order, so a replay raises exactly the live
/// run's alerts.
public struct AlertDetector: Sendable, Codable {
    /// The tuning in use.
    public let options: Options
    private var windowSize: Int64? = nil
    private var firstWindow: Int64? = nil
    private var lastWindow: Int64? = nil
    private var histories: [String: TopicHistory] = [:]
    /// Topic and kind of each latched alert, with the windows since its rise was last significant.
    private var latched: [String: Int] = [:]
    /// Topic and kind of each recent alert, with its window (kept as long as the longest span).
    private var lastAlerted: [String: Int64] = [:]
    private var incident: OpenIncident? = nil
    private var incidents = 0

    private struct OpenIncident: Sendable, Codable {
        var id: Int
        var lastActive: Int64
    }

    /// Where baselines come from for one window size.
    struct Layout {
        /// Windows per period (1 when the baseline is simply the windows before).
        var period: Int64
        /// Share spans in windows, 1 first.
        var spans: [Int]
    }

    /// The window under test and where its baselines come from.
    struct Place {
        var windowStart: Int64
        var windowEnd: Int64
        var window: Int64
        var start: Int64
        var layout: Layout
    }

    /// Windows of history kept per topic, at most (beyond it the baseline is the windows before).
    static let maximumKept: Int64 = 20_000

    /// Incidents opened so far.
    public var incidentCount: Int { incidents }

    /// A detector with the given tuning.
    public init(options: Options = Options()) { self.options = options }

    /// The alerts raised by one closed window's rows (all of one window).
    public mutating func observe(_ records: [WindowRecord]) -> [Alert] {
        guard let first = records.first else { return [] }
        return observe(
            windowStart: first.windowStart, windowEnd: first.windowEnd,
            rows: records.map {
                ($0.topic, .init(posts: $0.stats.posts, negative: $0.stats.negative, classified: $0.stats.classified))
            })
    }

    /// The alerts raised by one closed window, given each topic's counts in it.
    mutating func observe(
        windowStart: Int64, windowEnd: Int64, rows: [(topic: String, counts: TopicHistory.Counts)]
    )
        -> [Alert]
    {
        let size = windowEnd - windowStart
        guard !rows.isEmpty, size > 0, windowSize == nil || windowSize == size else { return [] }
        windowSize = size
        let window = AlertDetector.floorDivide(windowStart, size)
        if let lastWindow, window <= lastWindow { return [] }
        lastWindow = window
        let start = firstWindow ?? window
        firstWindow = start
        let layout = self.layout(size: size)
        for row in rows { histories[row.topic, default: TopicHistory()].record(row.counts, at: window) }
        let place = Place(windowStart: windowStart, windowEnd: windowEnd, window: window, start: start, layout: layout)
        var raised: [Alert] = []
        var significant: Set<String> = []
        for row in rows {
            guard let history = histories[row.topic] else { continue }
            // A new share alert may not pool windows up to one already alerted on: that rise was reported.
            let shareKey = row.topic + "\u{1F}" + Alert.Kind.negativeShare.rawValue
            let reported = latched[shareKey] == nil ? lastAlerted[shareKey] : nil
            let tests = [
                volumeTest(row.topic, history: history, at: place),
                shareTest(row.topic, history: history, at: place, after: reported),
            ]
            for case let alert? in tests {
                let key = row.topic + "\u{1F}" + alert.kind.rawValue
                significant.insert(key)
                if latched[key] == nil {
                    raised.append(alert)
                    lastAlerted[key] = window
                }
                latched[key] = 0
            }
        }
        for key in latched.keys where !significant.contains(key) {
            let quiet = (latched[key] ?? 0) + 1
            latched[key] = quiet >= options.cooldown ? nil : quiet
        }
        assignIncident(&raised, window: window, active: !significant.isEmpty)
        prune(window: window, layout: layout)
        return raised
    }

    private mutating func assignIncident(_ raised: inout [Alert], window: Int64, active: Bool) {
        guard active else { return }
        let open = incident.flatMap { window - $0.lastActive - 1 <= Int64(options.cooldown) ? $0 : nil }
        if raised.isEmpty {
            if var open {
                open.lastActive = window
                incident = open
            }
            return
        }
        let id: Int
        if let open {
            id = open.id
        } else {
            // A tampered checkpoint may hold any count: never overflow.
            incidents = incidents < Int.max ? max(0, incidents) + 1 : incidents
            id = incidents
        }
        for index in raised.indices {
            raised[index].incident = id
            raised[index].opensIncident = open == nil
        }
        incident = OpenIncident(id: id, lastActive: window)
    }

    private mutating func prune(window: Int64, layout: Layout) {
        let horizon = Int64(options.history) * layout.period + Int64(layout.spans.last ?? 1)
        lastAlerted = lastAlerted.filter { window - $0.value < Int64(layout.spans.last ?? 1) }
        for topic in Array(histories.keys) {
            histories[topic]?.prune(before: window - horizon)
            if histories[topic]?.isEmpty == true { histories[topic] = nil }
        }
    }

    private func layout(size: Int64) -> Layout {
        var period: Int64 = 1
        if let length = options.season.period, length % size == 0,
            length / size * Int64(options.history + 1) <= AlertDetector.maximumKept
        {
            period = length / size
        }
        var spans = [1]
        for length in AlertDetector.spanLengths where length % size == 0 {
            let span = length / size
            if span > 1, span <= period, !spans.contains(Int(span)) { spans.append(Int(span)) }
        }
        return Layout(period: period, spans: spans)
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }
}
