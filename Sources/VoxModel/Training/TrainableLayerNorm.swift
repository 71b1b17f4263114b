/// A LayerNorm being fine-tuned, with the forward pass saving what the backward pass needs.
final class TrainableLayerNorm: @unchecked Sendable {
    // @unchecked: owned by one trainer and used from its thread only.
    let gamma: Parameter
    let beta: Parameter
    let epsilon: Float
    var width: Int { gamma.value.count }

    init(name: String, gamma: Tensor, beta: Tensor, epsilon: Float) {
        self.gamma = Parameter(name: name + ".weight", value: Tensor(gamma.values, shape: gamma.shape), decays: false)
        self.beta = Parameter(name: name + ".bias", value: Tensor(beta.values, shape: beta.shape), decays: false)
        self.epsilon = epsilon
    }

    /// `y = γ·x̂ + β` with `x̂ = (x − mean)·rstd`, per row; saves `x̂` and `rstd`. `y` may alias `x`.
    func forward(
        _ x: UnsafePointer<Float>, rows: Int, output y: UnsafeMutablePointer<Float>,
        normalized: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
    ) {
        let g = gamma.value.pointer
        let b = beta.value.pointer
        for row in 0..<rows {
            let input = x + row * width
            let hat = normalized + row * width
            var sum: Float = 0
            for index in 0..<width { sum += input[index] }
            let mean = sum / Float(width)
            var squares: Float = 0
            for index in 0..<width {
                let centred = input[index] - mean
                squares += centred * centred
            }
            let inverse = 1 / (squares / Float(width) + epsilon).squareRoot()
            rstd[row] = inverse
            let out = y + row * width
            for index in 0..<width {
                hat[index] = (input[index] - mean) * inverse
                out[index] = hat[index] * g[index] + b[index]
            }
        }
    }

    /// From `dy`, accumulates γ and β gradients and writes `dx` (which may alias `dy`).
    func backward(
        _ dy: UnsafePointer<Float>, normalized: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows: Int,
        dx: UnsafeMutablePointer<Float>
    ) {
        let g = gamma.value.pointer
        let dg = gamma.gradient.pointer
        let dbeta = beta.gradient.pointer
        for row in 0..<rows {
            let grad = dy + row * width
            let hat = normalized + row * width
            var meanGrad: Float = 0
            var meanGradHat: Float = 0
            for index in 0..<width {
                let scaled = grad[index] * g[index]
                dg[index] += grad[index] * hat[index]
                dbeta[index] += grad[index]
                meanGrad += scaled
                meanGradHat += scaled * hat[index]
            }
            meanGrad /= Float(width)
            meanGradHat /= Float(width)
            let out = dx + row * width
            let inverse = rstd[row]
            for index in 0..<width {
                out[index] = inverse * (grad[index] * g[index] - meanGrad - hat[index] * meanGradHat)
            }
        }
    }

    var parameters: [Parameter] { [gamma, beta] }
}
