import Foundation

/// Re-fits a softmax head on a team's labels (`vox adapt`), on the pooled features of the frozen encoder, so
/// every other head is untouched and the run takes seconds.
///
/// The loss mixes the team's labels (share ``domainShare``, classes weighted by the square root of their
/// inverse frequency, as `vox train` does) with a sample of the original training data (the rest), plus an L2
/// pull of strength ``anchor`` toward the original head: general skill is kept, the decision boundary moves to
/// where the team draws it. Full-batch Adam from the original head, a fixed number of steps: deterministic.
public struct HeadAdapter: Sendable {
    /// A softmax head: `weight` is `[classes, hidden]` row-major.
    public struct Head: Sendable, Equatable {
        public var weight: [Double]
        public var bias: [Double]

        public init(weight: [Double], bias: [Double]) {
            self.weight = weight
            self.bias = bias
        }

        /// Logits of one feature vector.
        public func logits(_ features: [Float]) -> [Double] {
            let hidden = features.count
            return bias.indices.map { c in
                var sum = bias[c]
                for index in 0..<hidden { sum += weight[c * hidden + index] * Double(features[index]) }
                return sum
            }
        }

        /// The head with its logits divided by `temperature` (calibration folded into the weights).
        public func scaled(by temperature: Double) -> Head {
            Head(weight: weight.map { $0 / temperature }, bias: bias.map { $0 / temperature })
        }
    }

    /// One training example: pooled features and a class.
    public struct Example: Sendable {
        public var features: [Float]
        public var label: Int

        public init(features: [Float], label: Int) {
            self.features = features
            self.label = label
        }
    }

    /// Share of the loss from the team's labels (the rest from the original data).
    public var domainShare = 0.7
    /// Strength of the L2 pull toward the original head.
    public var anchor = 1e-3
    /// Adam steps and step size.
    public var steps = 300
    public var learningRate = 0.02

    /// An adapter with the documented defaults.
    public init() {}

    /// Fits the head on `domain` (and `general`), starting from `start`.
    public func fit(domain: [Example], general: [Example], start: Head) -> Head {
        let classes = start.bias.count
        guard classes > 0, let hidden = domain.first?.features.count ?? general.first?.features.count else {
            return start
        }
        var counts = [Double](repeating: 0, count: classes)
        for example in domain where example.label < classes { counts[example.label] += 1 }
        let classWeight = counts.map { $0 > 0 ? (Double(domain.count) / (Double(classes) * $0)).squareRoot() : 0 }
        let domainMass = domain.reduce(0.0) { $0 + classWeight[min($1.label, classes - 1)] }
        let share = general.isEmpty ? 1 : domain.isEmpty ? 0 : domainShare
        var head = start
        var firstMoment = Head(
            weight: Array(repeating: 0, count: head.weight.count), bias: Array(repeating: 0, count: classes))
        var secondMoment = firstMoment
        for step in 1...max(1, steps) {
            var gradient = Head(
                weight: head.weight.indices.map { anchor * (head.weight[$0] - start.weight[$0]) },
                bias: Array(repeating: 0, count: classes))
            func accumulate(_ examples: [Example], scale: (Example) -> Double) {
                for example in examples where example.label < classes {
                    let logits = head.logits(example.features)
                    let maximum = logits.max() ?? 0
                    let exps = logits.map { exp($0 - maximum) }
                    let sum = exps.reduce(0, +)
                    let factor = scale(example)
                    for c in 0..<classes {
                        let delta = factor * (exps[c] / sum - (c == example.label ? 1 : 0))
                        gradient.bias[c] += delta
                        for index in 0..<hidden {
                            gradient.weight[c * hidden + index] += delta * Double(example.features[index])
                        }
                    }
                }
            }
            if domainMass > 0 { accumulate(domain) { share * classWeight[$0.label] / domainMass } }
            if !general.isEmpty { accumulate(general) { _ in (1 - share) / Double(general.count) } }
            HeadAdapter.adam(
                &head.weight, gradient.weight, &firstMoment.weight, &secondMoment.weight, step, learningRate)
            HeadAdapter.adam(&head.bias, gradient.bias, &firstMoment.bias, &secondMoment.bias, step, learningRate)
        }
        return head
    }

    private static func adam(
        _ values: inout [Double], _ gradient: [Double], _ first: inout [Double], _ second: inout [Double], _ step: Int,
        _ rate: Double
    ) {
        let beta1 = 0.9
        let beta2 = 0.999
        let correction1 = 1 - pow(beta1, Double(step))
        let correction2 = 1 - pow(beta2, Double(step))
        for index in values.indices {
            first[index] = beta1 * first[index] + (1 - beta1) * gradient[index]
            second[index] = beta2 * second[index] + (1 - beta2) * gradient[index] * gradient[index]
            values[index] -= rate * (first[index] / correction1) / ((second[index] / correction2).squareRoot() + 1e-8)
        }
    }

    /// What adapting a head produced.
    public struct Adapted: Sendable {
        /// The head fitted on every label, its temperature folded in.
        public var head: Head
        /// Its errors on the domain, from the out-of-fold predictions.
        public var estimate: DomainEstimate
        /// Each label's out-of-fold logits (before the temperature) and the class they predict.
        public var outOfFold: [[Double]]
        public var predicted: [Int]
        /// Each label's out-of-fold probabilities, the temperature applied (what the adapted head would give).
        public var outOfFoldProbabilities: [[Double]]
        /// The temperature fitted on the out-of-fold logits.
        public var temperature: Double
    }

    /// Adapts `start` to `domain` (each example with its sampling weight in `weights`), as `vox adapt` does:
    /// k-fold cross-validation for the error estimate and the temperature, then one fit on every label.
    public func adapt(
        domain: [Example], weights: [Double], general: [Example], start: Head, labels: [String], folds: Int,
        seed: UInt64
    ) -> Adapted {
        let outOfFold = crossValidate(domain: domain, general: general, start: start, folds: folds, seed: seed)
        let predicted = outOfFold.map { Evaluator.argmax($0) }
        let temperature = HeadAdapter.temperature(logits: outOfFold, labels: domain.map(\.label))
        let probabilities = outOfFold.map { HeadAdapter.softmax($0.map { $0 / temperature }) }
        let estimate = DomainEstimate(
            labels: labels, rows: domain.indices.map { (domain[$0].label, predicted[$0], weights[$0]) },
            probabilities: probabilities, folds: folds)
        let head = fit(domain: domain, general: general, start: start).scaled(by: temperature)
        return Adapted(
            head: head, estimate: estimate, outOfFold: outOfFold, predicted: predicted,
            outOfFoldProbabilities: probabilities, temperature: temperature)
    }

    /// The softmax of `logits`.
    public static func softmax(_ logits: [Double]) -> [Double] {
        let maximum = logits.max() ?? 0
        let exps = logits.map { exp($0 - maximum) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }

    /// Stratified fold of each domain example (by label, seeded).
    public static func folds(labels: [Int], count: Int, seed: UInt64) -> [Int] {
        var generator = SeededGenerator(seed: seed)
        var fold = [Int](repeating: 0, count: labels.count)
        var next = 0
        for label in Set(labels).sorted() {
            var members = labels.indices.filter { labels[$0] == label }
            members.shuffle(using: &generator)
            for index in members {
                fold[index] = next % count
                next += 1
            }
        }
        return fold
    }

    /// Out-of-fold logits for every domain example: each fold's head is fitted without the examples it scores.
    public func crossValidate(
        domain: [Example], general: [Example], start: Head, folds: Int, seed: UInt64
    ) -> [[Double]] {
        let assignment = HeadAdapter.folds(labels: domain.map(\.label), count: folds, seed: seed)
        var logits = [[Double]](repeating: [], count: domain.count)
        for fold in 0..<folds {
            let training = domain.indices.filter { assignment[$0] != fold }.map { domain[$0] }
            let head = fit(domain: training, general: general, start: start)
            for index in domain.indices where assignment[index] == fold {
                logits[index] = head.logits(domain[index].features)
            }
        }
        return logits
    }

    /// The temperature minimising the negative log-likelihood of `labels` under `logits / T` (golden-section search
    /// over T in [0.05, 20] on a log scale).
    public static func temperature(logits: [[Double]], labels: [Int]) -> Double {
        func loss(_ logT: Double) -> Double {
            let t = exp(logT)
            var total = 0.0
            for (row, label) in zip(logits, labels) where label < row.count {
                let scaled = row.map { $0 / t }
                let maximum = scaled.max() ?? 0
                let sum = scaled.reduce(0) { $0 + exp($1 - maximum) }
                total -= scaled[label] - maximum - log(sum)
            }
            return total
        }
        var low = log(0.05)
        var high = log(20.0)
        let ratio = (5.0.squareRoot() - 1) / 2
        for _ in 0..<60 {
            let a = high - ratio * (high - low)
            let b = low + ratio * (high - low)
            if loss(a) < loss(b) { high = b } else { low = a }
        }
        return exp((low + high) / 2)
    }
}
