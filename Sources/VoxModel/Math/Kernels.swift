import Foundation

/// The element-wise and row-wise kernels of the forward pass, over raw buffers (no allocation).
enum Kernels {
    /// Fills each of `rows` rows of `out` (stride `width`) with `bias`.
    static func broadcastRows(
        _ bias: UnsafePointer<Float>, rows: Int, width: Int, into out: UnsafeMutablePointer<Float>
    ) {
        for row in 0..<rows { (out + row * width).update(from: bias, count: width) }
    }

    /// `x = LayerNorm(x + residual)` per row, in place on `x` (residual may be nil).
    static func addLayerNorm(
        _ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, rows: Int, width: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        for row in 0..<rows {
            let values = x + row * width
            if let residual {
                let other = residual + row * width
                for index in 0..<width { values[index] += other[index] }
            }
            var sum: Double = 0
            for index in 0..<width { sum += Double(values[index]) }
            let mean = Float(sum / Double(width))
            var squares: Double = 0
            for index in 0..<width {
                let centred = values[index] - mean
                squares += Double(centred * centred)
            }
            let inverse = 1 / (Float(squares / Double(width)) + epsilon).squareRoot()
            for index in 0..<width { values[index] = (values[index] - mean) * inverse * gamma[index] + beta[index] }
        }
    }

    /// Exact GELU, `x · Φ(x) = x/2 · (1 + erf(x/√2))`, in place.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let scale: Float = 0.707_106_781_186_547_5
        for index in 0..<count {
            let value = x[index]
            x[index] = 0.5 * value * (1 + erf(value * scale))
        }
    }

    /// Softmax of each row, in place, subtracting the row maximum first.
    static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for row in 0..<rows {
            let values = x + row * width
            var maximum = -Float.infinity
            for index in 0..<width { maximum = max(maximum, values[index]) }
            var sum: Float = 0
            for index in 0..<width {
                let e = exp(values[index] - maximum)
                values[index] = e
                sum += e
            }
            let inverse = 1 / sum
            for index in 0..<width { values[index] *= inverse }
        }
    }
}
