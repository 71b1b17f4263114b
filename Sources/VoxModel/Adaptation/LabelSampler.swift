import Foundation

/// Chooses which posts a person should label so that the share correction is accurate (`vox label sample`).
///
/// Design: stratified sampling. Strata are (predicted class) × (uncertain: top probability below
/// ``uncertainBelow``, or confident) × (time slice: equal-count quarters of the posts by time) × (watch topic,
/// when given). Each stratum gets posts in proportion to its size, uncertain strata at ``oversample``× the
/// rate (they are where the classifier errs, so they teach the adapted head most and pin down the confusion
/// matrix); allocation is by largest remainders, never more than a stratum holds. Within a stratum posts are a
/// seeded simple random sample; while there are labels enough, every stratum gets at least one. Every chosen post carries the weight `N_h / n_h` (posts in its stratum over
/// posts chosen from it): the adapter weights the confusion estimate by it, so over-representing uncertain posts
/// does not bias the correction (it costs a little effective sample size, a design effect near 1.1 at 2×).
public struct LabelSampler: Sendable {
    /// One post that could be sampled.
    public struct Candidate: Sendable {
        public var predicted: Int
        public var confidence: Float
        public var time: Int64
        /// The watch topic it belongs to (or −1).
        public var group: Int

        public init(predicted: Int, confidence: Float, time: Int64, group: Int = -1) {
            self.predicted = predicted
            self.confidence = confidence
            self.time = time
            self.group = group
        }
    }

    /// Top probability below which a post counts as uncertain.
    public var uncertainBelow: Float = 0.6
    /// How many times more often uncertain posts are sampled.
    public var oversample = 2.0
    /// Time slices.
    public var timeSlices = 4

    /// A sampler with the documented defaults.
    public init() {}

    /// Chooses `count` of `candidates`: (index, weight), in a seeded random order (so labelling can stop early
    /// and still cover every stratum).
    public func choose(_ candidates: [Candidate], count: Int, seed: UInt64) -> [(index: Int, weight: Double)] {
        guard count > 0, !candidates.isEmpty else { return [] }
        let byTime = candidates.indices.sorted { (candidates[$0].time, $0) < (candidates[$1].time, $1) }
        var slice = [Int](repeating: 0, count: candidates.count)
        for (rank, index) in byTime.enumerated() { slice[index] = rank * timeSlices / candidates.count }
        var strata: [[Int]: [Int]] = [:]
        for (index, candidate) in candidates.enumerated() {
            let key = [
                candidate.predicted, candidate.confidence < uncertainBelow ? 1 : 0, slice[index], candidate.group,
            ]
            strata[key, default: []].append(index)
        }
        let keys = strata.keys.sorted { $0.lexicographicallyPrecedes($1) }
        let sizes = keys.map { strata[$0]?.count ?? 0 }
        let rates = keys.map { $0[1] == 1 ? oversample : 1 }
        let quota = LabelSampler.allocate(count, sizes: sizes, rates: rates)
        var generator = SeededGenerator(seed: seed)
        var chosen: [(index: Int, weight: Double)] = []
        for (position, key) in keys.enumerated() where quota[position] > 0 {
            var members = strata[key] ?? []
            members.shuffle(using: &generator)
            let weight = Double(members.count) / Double(quota[position])
            chosen += members.prefix(quota[position]).map { ($0, weight) }
        }
        chosen.shuffle(using: &generator)
        return chosen
    }

    /// Proportional allocation of `total` over strata (size × rate), capped at each stratum's size, by largest
    /// remainders (ties to the earlier stratum), at least one per stratum while the largest quota can spare one.
    static func allocate(_ total: Int, sizes: [Int], rates: [Double]) -> [Int] {
        var quota = [Int](repeating: 0, count: sizes.count)
        var remaining = min(total, sizes.reduce(0, +))
        var open = Set(sizes.indices.filter { sizes[$0] > 0 })
        // Strata whose proportional share exceeds their size take all their posts; the rest is shared again.
        while true {
            let mass = open.reduce(0.0) { $0 + Double(sizes[$1]) * rates[$1] }
            let full = open.filter { Double(remaining) * Double(sizes[$0]) * rates[$0] / mass >= Double(sizes[$0]) }
            if full.isEmpty || mass == 0 { break }
            for index in full {
                quota[index] = sizes[index]
                remaining -= sizes[index]
                open.remove(index)
            }
        }
        let mass = open.reduce(0.0) { $0 + Double(sizes[$1]) * rates[$1] }
        guard mass > 0 else { return quota }
        let exact = open.sorted().map { ($0, Double(remaining) * Double(sizes[$0]) * rates[$0] / mass) }
        var given = 0
        for (index, share) in exact {
            quota[index] = Int(share.rounded(.down))
            given += quota[index]
        }
        let order = exact.sorted { ($1.1 - $1.1.rounded(.down), $0.0) < ($0.1 - $0.1.rounded(.down), $1.0) }
        for (index, _) in order where given < remaining && quota[index] < sizes[index] {
            quota[index] += 1
            given += 1
        }
        // Every stratum is represented when there are labels enough: one post from the largest quota moves to
        // each stratum left without, so no part of the feed goes unweighted.
        for index in sizes.indices where sizes[index] > 0 && quota[index] == 0 {
            guard let donor = quota.indices.max(by: { (quota[$0], $1) < (quota[$1], $0) }), quota[donor] > 1 else {
                break
            }
            quota[donor] -= 1
            quota[index] = 1
        }
        return quota
    }
}
