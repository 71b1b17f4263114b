import Foundation
import VoxModel

/// The protocol of `vox bench shares` for one group of topics: label a sample of its first part (by time), adapt,
/// and score the rest per topic and per topic-window against the human labels.
struct ShareBenchmark {
    /// One labelled post of the benchmark data, with its pooled features and the original head's prediction.
    struct Post {
        var id: String
        var topic: String
        var time: Int64
        var truth: Int
        var features: [Float]
        var original: [Double]
    }

    /// Shares of one topic (or topic-window) by the three methods, with the truth.
    struct Cell {
        var topic: String
        var windowStart: Int64?
        var posts: Int
        var truth: [Double]
        var original: [Double]
        var adaptedRaw: [Double]
        var adjusted: [Double]
        var adjustedEstimate: ShareEstimate
        var originalEstimate: ShareEstimate
    }

    /// What one group produced.
    struct Result {
        var topics: [String]
        var labelled: Int
        var scored: Int
        var perTopic: [Cell]
        var perWindow: [Cell]
        var estimate: DomainEstimate
        /// Labelled rows (truth, out-of-fold probabilities, weight) and scored rows (topic, time, truth, adapted and
        /// original probabilities), for `--dump`.
        var labelledRows: [(Int, [Double], Double, String)] = []
        var scoredRows: [(String, Int64, Int, [Double], [Double])] = []
    }

    var labels: Int
    var firstPart: Double
    var window: Int64
    var folds: Int
    var seed: UInt64
    var perTopicSplit = true
    var adapter = HeadAdapter()

    /// Runs the protocol on `posts` (one group), with `general` mixed in and `start` the original head.
    func run(_ posts: [Post], general: [HeadAdapter.Example], start: HeadAdapter.Head, classes: Int) -> Result {
        let topics = Array(Set(posts.map(\.topic))).sorted()
        var pool: [Post] = []
        var rest: [Post] = []
        // The first part of each topic's own timeline (every brand of a team's feed is present throughout), or of
        // the group's.
        for members in perTopicSplit ? topics.map({ topic in posts.filter { $0.topic == topic } }) : [posts] {
            let ordered = members.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
            let cut = Int((Double(ordered.count) * firstPart).rounded())
            pool += ordered[..<cut]
            rest += ordered[cut...]
        }
        // Exactly what `vox label sample` does with a watch topic per brand, then labels answered from the data.
        let candidates = pool.map { post in
            let probabilities = HeadAdapter.softmax(post.original)
            return LabelSampler.Candidate(
                predicted: Evaluator.argmax(post.original), confidence: Float(probabilities.max() ?? 0),
                time: post.time, group: topics.firstIndex(of: post.topic) ?? -1)
        }
        let chosen = LabelSampler().choose(candidates, count: labels, seed: seed)
        let domain = chosen.map { HeadAdapter.Example(features: pool[$0.index].features, label: pool[$0.index].truth) }
        let result = adapter.adapt(
            domain: domain, weights: chosen.map(\.weight), general: general, start: start,
            labels: HeadSpec.sentimentLabels, folds: folds, seed: seed)
        let (head, estimate) = (result.head, result.estimate)
        let probabilities = rest.map { HeadAdapter.softmax(head.logits($0.features)) }
        let adapted = probabilities.map { Evaluator.argmax($0) }
        var perTopic: [Cell] = []
        var perWindow: [Cell] = []
        for topic in topics {
            let members = rest.indices.filter { rest[$0].topic == topic }
            guard !members.isEmpty else { continue }
            perTopic.append(
                cell(
                    topic, nil, members, rest: rest, adapted: adapted, probabilities: probabilities, estimate: estimate,
                    classes: classes))
            let starts = Set(members.map { rest[$0].time - ((rest[$0].time % window) + window) % window }).sorted()
            for windowStart in starts {
                let inside = members.filter { rest[$0].time >= windowStart && rest[$0].time < windowStart + window }
                perWindow.append(
                    cell(
                        topic, windowStart, inside, rest: rest, adapted: adapted, probabilities: probabilities,
                        estimate: estimate, classes: classes))
            }
        }
        return Result(
            topics: topics, labelled: chosen.count, scored: rest.count, perTopic: perTopic, perWindow: perWindow,
            estimate: estimate,
            labelledRows: chosen.indices.map {
                (domain[$0].label, result.outOfFoldProbabilities[$0], chosen[$0].weight, pool[chosen[$0].index].topic)
            },
            scoredRows: zip(rest, probabilities).map { post, adapted in
                (post.topic, post.time, post.truth, adapted, HeadAdapter.softmax(post.original))
            })
    }

    private func cell(
        _ topic: String, _ windowStart: Int64?, _ members: [Int], rest: [Post], adapted: [Int],
        probabilities: [[Double]], estimate: DomainEstimate, classes: Int
    ) -> Cell {
        func shares(_ classOf: (Int) -> Int) -> [Int] {
            var counts = [Int](repeating: 0, count: classes)
            for index in members { counts[classOf(index)] += 1 }
            return counts
        }
        let truth = shares { rest[$0].truth }
        let original = shares { Evaluator.argmax(rest[$0].original) }
        let raw = shares { adapted[$0] }
        // As a window row does: the adapted head's mean probabilities, corrected by their errors on the labels.
        let sums = (0..<classes).map { k in members.reduce(0) { $0 + probabilities[$1][k] } }
        let adjustedEstimate = ShareEstimate(counts: raw, probabilitySums: sums, domain: estimate)
        let n = Double(members.count)
        return Cell(
            topic: topic, windowStart: windowStart, posts: members.count, truth: truth.map { Double($0) / n },
            original: original.map { Double($0) / n }, adaptedRaw: raw.map { Double($0) / n },
            adjusted: adjustedEstimate.adjusted ?? raw.map { Double($0) / n }, adjustedEstimate: adjustedEstimate,
            originalEstimate: ShareEstimate(counts: original, domain: nil))
    }
}
