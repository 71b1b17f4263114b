import Foundation

/// AdamW (Loshchilov & Hutter) with decoupled weight decay, global-norm gradient clipping, and a linear
/// warmup then linear decay of the learning rate.
public struct AdamW: Sendable {
    /// Peak learning rate.
    public var learningRate: Float
    /// Decoupled weight decay.
    public var weightDecay: Float = 0.01
    /// Moment decay rates.
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    /// Denominator guard.
    public var epsilon: Float = 1e-8
    /// Gradients are scaled so their global L2 norm is at most this (0 disables clipping).
    public var clipNorm: Float = 1.0
    /// Steps of linear warmup.
    public var warmupSteps: Int
    /// Total steps (the rate decays linearly to 0 at the end).
    public var totalSteps: Int
    /// Steps taken so far.
    public private(set) var step = 0

    /// Creates an optimizer.
    public init(learningRate: Float, warmupSteps: Int, totalSteps: Int) {
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps
        self.totalSteps = max(1, totalSteps)
    }

    /// The learning rate at the current step.
    public var currentRate: Float {
        let next = step + 1
        if next <= warmupSteps { return learningRate * Float(next) / Float(max(1, warmupSteps)) }
        let remaining = Float(max(0, totalSteps - next)) / Float(max(1, totalSteps - warmupSteps))
        return learningRate * remaining
    }

    /// Sets the step count (resuming from a checkpoint).
    public mutating func resume(at step: Int) { self.step = step }

    /// Applies one update to every parameter from its gradient; returns the gradient norm before clipping.
    @discardableResult
    public mutating func update(_ parameters: [Parameter]) -> Float {
        var squares: Double = 0
        for parameter in parameters {
            let gradient = parameter.gradient.pointer
            for index in 0..<parameter.gradient.count { squares += Double(gradient[index] * gradient[index]) }
        }
        let norm = Float(squares.squareRoot())
        let clip = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1
        let rate = currentRate
        step += 1
        let correction1 = 1 - pow(beta1, Float(step))
        let correction2 = 1 - pow(beta2, Float(step))
        for parameter in parameters {
            let value = parameter.value.pointer
            let gradient = parameter.gradient.pointer
            let m = parameter.firstMoment.pointer
            let v = parameter.secondMoment.pointer
            let decay = parameter.decays ? weightDecay : 0
            for index in 0..<parameter.value.count {
                let g = gradient[index] * clip
                m[index] = beta1 * m[index] + (1 - beta1) * g
                v[index] = beta2 * v[index] + (1 - beta2) * g * g
                let update = (m[index] / correction1) / ((v[index] / correction2).squareRoot() + epsilon)
                value[index] -= rate * (update + decay * value[index])
            }
        }
        return norm
    }
}
