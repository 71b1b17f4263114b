import Foundation

/// A classification head being trained: pooling (mean, or a learned attention query), dropout on the
/// pooled vector, a linear layer, and a cross-entropy (softmax) or binary cross-entropy (sigmoid) loss.
final class TrainableHead: @unchecked Sendable {
    // @unchecked: owned by one trainer and used from its thread only.
    let spec: HeadSpec
    let hidden: Int
    let weight: Parameter
    let bias: Parameter
    let query: Parameter?
    let dropout: Float

    init(spec: HeadSpec, hidden: Int, dropout: Float, generator: inout SeededGenerator) {
        self.spec = spec
        self.hidden = hidden
        self.dropout = dropout
        let bound = 1 / Float(hidden).squareRoot()
        let classes = spec.labels.count
        weight = Parameter(
            name: "heads.\(spec.name).weight",
            value: Tensor(
                (0..<(classes * hidden)).map { _ in Float.random(in: -bound...bound, using: &generator) },
                shape: [classes, hidden]),
            decays: true)
        bias = Parameter(name: "heads.\(spec.name).bias", value: Tensor(zeros: [classes]), decays: false)
        query =
            spec.pooling == .attention
            ? Parameter(name: "heads.\(spec.name).query", value: Tensor(zeros: [hidden]), decays: false) : nil
    }

    var parameters: [Parameter] { [weight, bias, query].compactMap { $0 } }

    /// The loss of a batch and, when `backward`, its gradient with respect to the encoder output (`[tokens, hidden]`)
    /// and the head's own gradients.
    /// - Parameters:
    ///   - saved: The encoder's forward pass.
    ///   - targets: Per post, one value per label: for softmax heads a distribution (one-hot for a hard label,
    ///     soft from a teacher), for sigmoid heads 0 or 1 per label.
    ///   - classWeights: Per-label loss weights (softmax heads), or nil.
    ///   - training: Dropout on, gradients accumulated.
    func loss(
        _ saved: EncoderActivations, targets: [[Float]], classWeights: [Float]?, training: Bool,
        generator: inout SeededGenerator
    ) -> (loss: Float, gradient: Tensor) {
        let h = hidden
        let classes = spec.labels.count
        let gradient = Tensor(zeros: [saved.tokens, h])
        let pooledBuffer = Tensor(zeros: [h])
        let attentionBuffer = Tensor(zeros: [saved.sequences.map(\.count).max() ?? 1])
        let attention = attentionBuffer.pointer
        // A softmax target may be soft (a distribution, from a teacher): its weight is the class weights'
        // expectation under it, which is the label's weight for a one-hot target.
        func lossWeight(_ target: [Float]) -> Float {
            guard let classWeights else { return 1 }
            return zip(target, classWeights).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let totalWeight: Float =
            spec.kind == .sigmoid ? Float(targets.count * classes) : targets.reduce(0) { $0 + lossWeight($1) }
        var loss: Float = 0
        let keep = 1 - dropout
        for (index, ids) in saved.sequences.enumerated() {
            let states = saved.output.pointer + saved.starts[index] * h
            HeadMath.pool(
                states, tokens: ids.count, h: h, pooling: spec.pooling, query: query?.value.pointer,
                into: pooledBuffer.pointer,
                weights: attention)
            let pooled = pooledBuffer.values
            var mask = [Float](repeating: 1, count: h)
            if training && dropout > 0 {
                for element in 0..<h {
                    mask[element] = Float.random(in: 0..<1, using: &generator) < keep ? 1 / keep : 0
                }
            }
            let dropped = Tensor(zip(pooled, mask).map { $0 * $1 }, shape: [h])
            let logits = HeadMath.logits(
                dropped.pointer, h: h, weight: weight.value.pointer, bias: bias.value.pointer, classes: classes)
            let probabilities = HeadMath.probabilities(logits, kind: spec.kind)
            var dLogits = [Float](repeating: 0, count: classes)
            switch spec.kind {
            case .softmax:
                // Cross-entropy against the target distribution; its gradient is p − t because t sums to 1.
                let w = lossWeight(targets[index])
                for c in 0..<classes where targets[index][c] > 0 {
                    loss += -w * targets[index][c] * log(max(probabilities[c], 1e-12)) / totalWeight
                }
                for c in 0..<classes { dLogits[c] = w * (probabilities[c] - targets[index][c]) / totalWeight }
            case .sigmoid:
                for c in 0..<classes {
                    let p = min(max(probabilities[c], 1e-7), 1 - 1e-7)
                    let y = targets[index][c]
                    loss += -(y * log(p) + (1 - y) * log(1 - p)) / totalWeight
                    dLogits[c] = (probabilities[c] - y) / totalWeight
                }
            }
            guard training else { continue }
            // Linear layer.
            var dPooled = [Float](repeating: 0, count: h)
            for c in 0..<classes {
                bias.gradient.pointer[c] += dLogits[c]
                for element in 0..<h {
                    weight.gradient.pointer[c * h + element] += dLogits[c] * dropped.pointer[element]
                    dPooled[element] += dLogits[c] * weight.value.pointer[c * h + element] * mask[element]
                }
            }
            // Pooling.
            let dStates = gradient.pointer + saved.starts[index] * h
            switch spec.pooling {
            case .mean:
                for row in 0..<ids.count {
                    for element in 0..<h { dStates[row * h + element] += dPooled[element] / Float(ids.count) }
                }
            case .attention:
                guard let query else { break }
                let scale = 1 / Float(h).squareRoot()
                var dAlpha = [Float](repeating: 0, count: ids.count)
                var weighted: Float = 0
                for row in 0..<ids.count {
                    var dot: Float = 0
                    for element in 0..<h { dot += states[row * h + element] * dPooled[element] }
                    dAlpha[row] = dot
                    weighted += attention[row] * dot
                }
                for row in 0..<ids.count {
                    let dScore = attention[row] * (dAlpha[row] - weighted) * scale
                    for element in 0..<h {
                        dStates[row * h + element] +=
                            attention[row] * dPooled[element] + dScore * query.value.pointer[element]
                        query.gradient.pointer[element] += dScore * states[row * h + element]
                    }
                }
            }
        }
        return (loss, gradient)
    }
}
