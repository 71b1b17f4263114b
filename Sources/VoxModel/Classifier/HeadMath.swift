import Foundation

/// The arithmetic a classification head shares between training and inference: pooling, logits, softmax.
enum HeadMath {
    /// Pools the `tokens` rows at `states` (width `h`) into `out`, recording attention weights in `weights` when pooling by attention.
    static func pool(
        _ states: UnsafePointer<Float>, tokens: Int, h: Int, pooling: Pooling, query: UnsafePointer<Float>?,
        into out: UnsafeMutablePointer<Float>, weights: UnsafeMutablePointer<Float>?
    ) {
        out.update(repeating: 0, count: h)
        switch pooling {
        case .mean:
            for row in 0..<tokens {
                for index in 0..<h { out[index] += states[row * h + index] }
            }
            for index in 0..<h { out[index] /= Float(tokens) }
        case .attention:
            guard let query else { return }
            let scale = 1 / Float(h).squareRoot()
            var scores = [Float](repeating: 0, count: tokens)
            var maximum = -Float.infinity
            for row in 0..<tokens {
                var dot: Float = 0
                for index in 0..<h { dot += states[row * h + index] * query[index] }
                scores[row] = dot * scale
                maximum = max(maximum, scores[row])
            }
            var sum: Float = 0
            for row in 0..<tokens {
                scores[row] = exp(scores[row] - maximum)
                sum += scores[row]
            }
            for row in 0..<tokens {
                let alpha = scores[row] / sum
                weights?[row] = alpha
                for index in 0..<h { out[index] += alpha * states[row * h + index] }
            }
        }
    }

    /// `logits = weight · pooled + bias` for a `[classes, h]` weight.
    static func logits(
        _ pooled: UnsafePointer<Float>, h: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, classes: Int
    ) -> [Float] {
        (0..<classes).map { c in
            var sum = bias[c]
            for index in 0..<h { sum += weight[c * h + index] * pooled[index] }
            return sum
        }
    }

    /// Probabilities from logits divided by `temperature`: softmax, or per-class sigmoid.
    static func probabilities(_ logits: [Float], kind: HeadSpec.Kind, temperature: Float = 1) -> [Float] {
        let logits = temperature == 1 ? logits : logits.map { $0 / temperature }
        switch kind {
        case .softmax:
            let maximum = logits.max() ?? 0
            let exps = logits.map { exp($0 - maximum) }
            let sum = exps.reduce(0, +)
            return exps.map { $0 / sum }
        case .sigmoid:
            return logits.map { 1 / (1 + exp(-$0)) }
        }
    }
}
