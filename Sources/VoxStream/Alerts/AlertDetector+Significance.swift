import Foundation

/// The detector's two tests. Both widen pure sampling noise by what the baseline itself shows:
///
/// - **Volume**: the expected count is the mean of the same window over past periods, scaled by the day's level
///   (the windows just before against their own means); its variance is
///   `(μ + φμ²)(1 + 1/m)` with `m` past periods and the topic's overdispersion `φ` pooled over every window of its
///   history (so one noisy slot does not decide it), and the tail is negative binomial (Poisson when `φ` is 0).
/// - **Negative share**: the baseline share pools the same windows of past periods; the p-value is the larger of
///   the beta-binomial tail (exact for small counts) and a normal tail whose variance adds the spread of the
///   periods' shares beyond sampling (pooled over the period's slots; at least a quarter point), so a quiet feed's
///   ordinary day-to-day wobble over a long span is not news.
extension AlertDetector {
    /// The least day-to-day spread of a share assumed (a standard deviation, in share).
    static let minimumShareSpread = 0.0025

    /// The ends of the spans `span` windows long ending one period, two periods, … before `window` (the window
    /// under test unless given) that lie wholly inside what the feed covered.
    func baselineEnds(_ place: Place, span: Int = 1, before window: Int64? = nil) -> [Int64] {
        let last = window ?? place.window
        return (1...options.history).map { last - Int64($0) * place.layout.period }.filter {
            $0 - Int64(span - 1) >= place.start
        }
    }

    /// The topic's overdispersion of volume (φ in variance = μ + φμ²), pooled over every slot of its history.
    func overdispersion(_ history: TopicHistory, at place: Place) -> Double {
        var excess = 0.0
        var scale = 0.0
        for slot in 0..<place.layout.period {
            let ends = baselineEnds(place, before: place.window - slot)
            guard ends.count >= 2 else { continue }
            let values = ends.map { Double(history[$0].posts) }
            let mean = values.reduce(0, +) / Double(values.count)
            let spread = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
            excess += spread - mean
            scale += mean * mean
        }
        return scale > 0 ? max(0, excess / scale) : 0
    }

    /// Windows before the current one whose volume sets the day's level.
    static let levelWindows: Int64 = 6
    /// Posts of evidence it takes to move the level halfway from 1.
    static let levelPrior = 50.0

    /// How busy the topic is today against its seasonal means: posts over the windows just before this one, against
    /// their means in past periods, shrunk toward 1 and kept within [0.5, 2] (1 without a cycle). A busy news day
    /// raises every hour's expectation; a one-hour spike does not raise its own.
    func level(_ history: TopicHistory, at place: Place) -> Double {
        guard place.layout.period > 1 else { return 1 }
        var observed = 0.0
        var expected = 0.0
        for back in 1...AlertDetector.levelWindows {
            let window = place.window - back
            let past = baselineEnds(place, before: window)
            guard !past.isEmpty else { continue }
            observed += Double(history[window].posts)
            expected += Double(past.reduce(0) { $0 + history[$1].posts }) / Double(past.count)
        }
        let prior = AlertDetector.levelPrior
        return min(2, max(0.5, (observed + prior) / (expected + prior)))
    }

    func volumeTest(_ topic: String, history: TopicHistory, at place: Place) -> Alert? {
        let past = baselineEnds(place).map { Double(history[$0].posts) }
        guard past.count >= options.warmup else { return nil }
        let count = Double(past.count)
        let seasonal = past.reduce(0, +) / count
        let mean = seasonal * level(history, at: place)
        let expected = max(mean, 0.5)
        let posts = history[place.window].posts
        guard Double(posts) >= options.minimumRatio * expected, Double(posts) - mean >= Double(options.minimumExcess)
        else { return nil }
        let phi = overdispersion(history, at: place)
        let variance = (expected + phi * expected * expected) * (1 + 1 / count)
        let pValue = TailProbability.countUpperTail(posts, mean: expected, variance: variance)
        guard pValue <= options.significance else { return nil }
        return Alert(
            windowStart: place.windowStart, windowEnd: place.windowEnd, spanStart: place.windowStart, topic: topic,
            kind: .volume, value: Double(posts), baseline: mean,
            deviation: (Double(posts) - mean) / variance.squareRoot(), pValue: pValue, posts: posts)
    }

    /// The most significant share rise over the spans, pooling only windows after `reported` when given.
    func shareTest(_ topic: String, history: TopicHistory, at place: Place, after reported: Int64? = nil) -> Alert? {
        var best: Alert? = nil
        for span in place.layout.spans where place.window - Int64(span) >= (reported ?? .min) {
            let current = history.sum(endingAt: place.window, span: span)
            guard current.classified >= max(1, options.minimumPosts) else { continue }
            let periods = baselineEnds(place, span: span).map { history.sum(endingAt: $0, span: span) }
            guard periods.count >= options.warmup else { continue }
            let base = periods.reduce(TopicHistory.Counts(), +)
            guard base.classified > 0 else { continue }
            let rate = Double(base.negative) / Double(base.classified)
            let share = Double(current.negative) / Double(current.classified)
            guard share - rate >= options.minimumChange else { continue }
            let exact = TailProbability.betaBinomialUpperTail(
                current.negative, of: current.classified, a: Double(base.negative) + 0.5,
                b: Double(base.classified - base.negative) + 0.5)
            // The p-value is at least the exact tail: the pooled spread (the costly part) only when that passes.
            guard exact <= options.significance, exact < (best?.pValue ?? 1) else { continue }
            let binomial = max(rate * (1 - rate), 1e-4)
            let between = shareSpread(history, span: span, at: place)
            let variance =
                binomial * (1 / Double(current.classified) + 1 / Double(base.classified))
                + between * (1 + 1 / Double(periods.count))
            let deviation = (share - rate) / variance.squareRoot()
            let pValue = max(exact, 0.5 * erfc(deviation / 2.0.squareRoot()))
            guard pValue <= options.significance, pValue < (best?.pValue ?? 1) else { continue }
            let size = place.windowEnd - place.windowStart
            best = Alert(
                windowStart: place.windowStart, windowEnd: place.windowEnd,
                spanStart: place.windowEnd - Int64(span) * size, topic: topic, kind: .negativeShare, value: share,
                baseline: rate, deviation: deviation, pValue: pValue, posts: current.classified)
        }
        return best
    }

    /// The variance of past periods' shares over `span` windows beyond what sampling explains, pooled over every
    /// slot of the period (each slot's spans with enough posts, against the slot's pooled share), at least
    /// `minimumShareSpread` squared.
    func shareSpread(_ history: TopicHistory, span: Int, at place: Place) -> Double {
        var excess = 0.0
        var degrees = 0.0
        for slot in 0..<place.layout.period {
            let counts = baselineEnds(place, span: span, before: place.window - slot)
                .map { history.sum(endingAt: $0, span: span) }.filter { $0.classified >= max(1, options.minimumPosts) }
            guard counts.count >= 2 else { continue }
            let total = counts.reduce(TopicHistory.Counts(), +)
            let rate = Double(total.negative) / Double(total.classified)
            for period in counts {
                let share = Double(period.negative) / Double(period.classified)
                let sampling = rate * (1 - rate) / Double(period.classified)
                let weight = 1 - Double(period.classified) / Double(total.classified)
                excess += (share - rate) * (share - rate) - sampling * weight
            }
            degrees += Double(counts.count - 1)
        }
        let floor = AlertDetector.minimumShareSpread * AlertDetector.minimumShareSpread
        return degrees > 0 ? max(floor, excess / degrees) : floor
    }
}
