import Foundation

/// Emerging terms: per tumbling window and topic, the terms (``TermExtractor``) whose share of posts rose most
/// against the topic's trailing baseline, scored by Dunning's log-likelihood ratio.
///
/// Each topic's baseline is its earlier windows with exponentially decaying weight (half-life `halfLife` windows),
/// kept in fixed point (units of 1/65,536 post) so it is exact and checkpoints resume it bit for bit. A term is
/// reported when it is in at least `minimumCount` posts of the window, its rate is at least twice its baseline
/// rate, its G² is at least ``minimumScore`` (p < 0.001 for one degree of freedom), and the topic has a baseline of
/// ``warmup`` windows; the `top` best per window and topic, by score.
///
/// Memory is bounded whatever the feed: an open window keeps at most ``windowCapacity`` terms per topic
/// (Misra–Gries: when full, a new term lowers every count by one, so a count is short by at most the window's term
/// occurrences over the capacity), and a baseline at most ``baselineCapacity`` (the heaviest; a term left out is
/// taken at the heaviest weight dropped, an upper bound on its baseline, so it is not mistaken for a new one).
public struct TermTracker: Sendable, Equatable, Codable {
    /// How terms are reported.
    public struct Options: Sendable, Equatable, Codable {
        /// Terms reported per window and topic at most (0: emerging terms off).
        public var top = 10
        /// Posts of the window that must hold a term.
        public var minimumCount = 5
        /// Windows after which a baseline count weighs half.
        public var halfLife = 24

        /// Default options.
        public init() {}

        /// The tuning as one line (part of a checkpoint's configuration).
        public var configuration: String { "\(top)/\(minimumCount)/\(halfLife)" }
    }

    /// Terms kept per open window and topic at most.
    public static let windowCapacity = 5_000
    /// Terms kept per topic baseline at most.
    public static let baselineCapacity = 2_000
    /// The least G² reported.
    public static let minimumScore = 10.83
    /// Windows with posts a topic's baseline needs before its terms are scored.
    public static let warmup = 3
    /// A term's rate must be this many times its baseline rate.
    public static let minimumRise = 2.0
    /// One post in the baselines' fixed point.
    static let unit: Int64 = 65_536

    struct Counts: Sendable, Equatable, Codable {
        var posts = 0
        var terms: [String: Int] = [:]

        mutating func add(_ terms: [String]) {
            posts += 1
            for term in terms {
                if let count = self.terms[term] {
                    self.terms[term] = count + 1
                } else if self.terms.count < TermTracker.windowCapacity {
                    self.terms[term] = 1
                } else {
                    self.terms = self.terms.compactMapValues { $0 > 1 ? $0 - 1 : nil }
                }
            }
        }
    }

    struct Baseline: Sendable, Equatable, Codable {
        var posts: Int64 = 0
        var terms: [String: Int64] = [:]
        /// The heaviest weight dropped by pruning (decayed like the rest).
        var floor: Int64 = 0
        var windows = 0
        /// The start of the last window merged.
        var last: Int64? = nil
    }

    /// Window length in milliseconds.
    public let size: Int64
    /// The rows' topics: `all`, the taxonomy, the watch topics.
    public let topics: [String]
    public let options: Options
    private var open: [Int64: [Counts]] = [:]
    private var baselines: [Baseline]
    private let extractor = TermExtractor()

    enum CodingKeys: String, CodingKey { case size, topics, options, open, baselines }

    /// A tracker of windows `size` milliseconds long over `topics`.
    public init(size: Int64, topics: [String], options: Options) {
        self.size = max(1, size)
        self.topics = topics
        self.options = options
        baselines = Array(repeating: Baseline(), count: topics.count)
    }

    /// Restores a checkpointed tracker.
    /// - Throws: `DecodingError` when counts, weights or terms are out of range.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        size = try container.decode(Int64.self, forKey: .size)
        topics = try container.decode([String].self, forKey: .topics)
        options = try container.decode(Options.self, forKey: .options)
        open = try container.decode([Int64: [Counts]].self, forKey: .open)
        baselines = try container.decode([Baseline].self, forKey: .baselines)
        let limit = Int64.max / 4
        func goodTerm(_ term: String) -> Bool { !term.isEmpty && term.count <= 2 * TermExtractor.maximumLength + 1 }
        let windowsValid = open.values.allSatisfy { window in
            window.count == topics.count
                && window.allSatisfy { counts in
                    counts.posts >= 0 && counts.terms.count <= TermTracker.windowCapacity
                        && counts.terms.allSatisfy { goodTerm($0.key) && $0.value >= 1 && $0.value <= counts.posts }
                }
        }
        let baselinesValid = baselines.allSatisfy { baseline in
            (0...limit).contains(baseline.posts) && (0...limit).contains(baseline.floor) && baseline.windows >= 0
                && baseline.terms.count <= TermTracker.baselineCapacity
                && baseline.terms.allSatisfy { goodTerm($0.key) && $0.value >= 1 && $0.value <= baseline.posts }
        }
        guard size > 0, options.top >= 0, options.minimumCount >= 1, options.halfLife >= 1,
            baselines.count == topics.count, windowsValid, baselinesValid
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .baselines, in: container, debugDescription: "emerging-term counts are malformed")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(size, forKey: .size)
        try container.encode(topics, forKey: .topics)
        try container.encode(options, forKey: .options)
        try container.encode(open, forKey: .open)
        try container.encode(baselines, forKey: .baselines)
    }

    public static func == (a: TermTracker, b: TermTracker) -> Bool {
        a.size == b.size && a.topics == b.topics && a.options == b.options && a.open == b.open
            && a.baselines == b.baselines
    }

    /// Whether terms are tracked at all.
    public var isOn: Bool { options.top > 0 }

    /// Counts a windowed post's terms in its tumbling window, for each of `topics` (indices into ``topics``).
    public mutating func add(text: String, language: String?, at time: Int64, topics indices: [Int]) {
        guard isOn, !indices.isEmpty else { return }
        let terms = extractor.terms(text, language: language)
        let start = WindowAggregator.floor(time, size)
        let empty = Array(repeating: Counts(), count: topics.count)
        // In place: a copy of the window would copy each topic's term counts for every post.
        for index in indices where topics.indices.contains(index) { open[start, default: empty][index].add(terms) }
    }

    /// Closes the window starting at `start`: its emerging terms, topic by topic, then its counts join the baselines.
    public mutating func close(start: Int64) -> [EmergingTerm] {
        guard isOn else { return [] }
        let window = open.removeValue(forKey: start) ?? []
        var found: [EmergingTerm] = []
        for (index, counts) in window.enumerated() where counts.posts > 0 {
            var baseline = baselines[index]
            decay(&baseline, to: start)
            found += emerging(counts, against: baseline, topic: topics[index], start: start)
            merge(counts, into: &baseline, start: start)
            baselines[index] = baseline
        }
        return found
    }

    /// Number of windows holding counts.
    public var openCount: Int { open.count }

    private func emerging(_ counts: Counts, against baseline: Baseline, topic: String, start: Int64) -> [EmergingTerm] {
        guard baseline.windows >= TermTracker.warmup, baseline.posts > 0 else { return [] }
        let posts = Double(counts.posts)
        let baselinePosts = Double(baseline.posts) / Double(TermTracker.unit)
        var found: [EmergingTerm] = []
        for (term, count) in counts.terms where count >= options.minimumCount {
            let before = Double(baseline.terms[term] ?? baseline.floor) / Double(TermTracker.unit)
            let rate = Double(count) / posts
            let baselineRate = before / baselinePosts
            guard rate >= TermTracker.minimumRise * baselineRate else { continue }
            let score = EmergingTerm.logLikelihoodRatio(Double(count), posts, before, baselinePosts)
            guard score >= TermTracker.minimumScore else { continue }
            found.append(
                EmergingTerm(
                    windowStart: start, windowEnd: start + size, topic: topic, term: term, count: count, rate: rate,
                    baselineRate: baselineRate, score: score))
        }
        found.sort { ($0.score, $1.term) > ($1.score, $0.term) }
        return Array(found.prefix(options.top))
    }

    /// Decays a baseline by the windows between its last merge and `start`.
    private func decay(_ baseline: inout Baseline, to start: Int64) {
        guard let last = baseline.last, start > last else { return }
        let steps = (start - last) / size
        let factor = TermTracker.power(TermTracker.halving(options.halfLife), steps)
        func scaled(_ value: Int64) -> Int64 { Int64((Int128(value) * Int128(factor)) >> 16) }
        baseline.posts = scaled(baseline.posts)
        baseline.floor = scaled(baseline.floor)
        baseline.terms = baseline.terms.compactMapValues { value in
            let next = scaled(value)
            return next > 0 ? next : nil
        }
    }

    private func merge(_ counts: Counts, into baseline: inout Baseline, start: Int64) {
        baseline.posts += Int64(counts.posts) * TermTracker.unit
        for (term, count) in counts.terms { baseline.terms[term, default: 0] += Int64(count) * TermTracker.unit }
        if baseline.terms.count > TermTracker.baselineCapacity {
            let ranked = baseline.terms.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            baseline.floor = max(baseline.floor, ranked[TermTracker.baselineCapacity].value)
            baseline.terms = Dictionary(
                uniqueKeysWithValues: ranked.prefix(TermTracker.baselineCapacity).map { ($0.key, $0.value) })
        }
        baseline.windows += 1
        baseline.last = start
    }

    /// The weight one window keeps after one more: 2^(−1/halfLife), in units of 1/65,536.
    static func halving(_ halfLife: Int) -> Int64 {
        Int64((65_536 * Foundation.pow(2, -1 / Double(max(1, halfLife)))).rounded())
    }

    /// `factor`^`steps` in units of 1/65,536 (exact integer steps, 0 once it underflows).
    static func power(_ factor: Int64, _ steps: Int64) -> Int64 {
        var result: Int64 = 65_536
        var base = factor
        var remaining = steps
        while remaining > 0 && result > 0 {
            if remaining & 1 == 1 { result = (result * base) >> 16 }
            base = (base * base) >> 16
            remaining >>= 1
        }
        return result
    }
}
