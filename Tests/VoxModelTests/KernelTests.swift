import Foundation
import Testing

@testable import VoxModel

/// Vox's own GEMM kernel: every CPU path gives the same bits, and a row's result never depends on the
/// other rows of the call (the basis of batch-invariant inference).
@Suite(.serialized) struct KernelTests {
    func randomTensor(_ shape: [Int], seed: UInt64, in range: ClosedRange<Float> = -1...1) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor((0..<shape.reduce(1, *)).map { _ in Float.random(in: range, using: &generator) }, shape: shape)
    }

    func run(
        _ linear: PackedLinear, _ input: Tensor, rows: Int, gelu: Bool = false, level: Int? = nil
    ) -> [Float] {
        PackedLinear.forceKernelLevel(level)
        defer { PackedLinear.forceKernelLevel(nil) }
        let output = Tensor(zeros: [rows, linear.outputs])
        linear.apply(
            rows: rows, input: input.pointer, inputStride: linear.inputs, output: output.pointer,
            outputStride: linear.outputs, gelu: gelu)
        return output.values
    }

    @Test(arguments: [(37, 70, 45), (12, 384, 1152), (1, 33, 5), (101, 64, 96)])
    func matchesAPlainProductClosely(shape: (rows: Int, inputs: Int, outputs: Int)) {
        let weight = randomTensor([shape.outputs, shape.inputs], seed: 1)
        let bias = randomTensor([shape.outputs], seed: 2)
        let input = randomTensor([shape.rows, shape.inputs], seed: 3)
        let result = run(PackedLinear(weight: weight, bias: bias), input, rows: shape.rows)
        var worst: Double = 0
        for row in 0..<shape.rows {
            for column in 0..<shape.outputs {
                var sum = Double(bias.pointer[column])
                for k in 0..<shape.inputs {
                    sum +=
                        Double(input.pointer[row * shape.inputs + k])
                        * Double(weight.pointer[column * shape.inputs + k])
                }
                worst = max(worst, abs(sum - Double(result[row * shape.outputs + column])))
            }
        }
        #expect(worst < 1e-4)
    }

    @Test func everyCPUPathGivesIdenticalBits() {
        let linear = PackedLinear(weight: randomTensor([70, 53], seed: 4), bias: randomTensor([70], seed: 5))
        let input = randomTensor([29, 53], seed: 6)
        let portable = run(linear, input, rows: 29, gelu: true, level: 0)
        for level in 1...PackedLinear.kernelLevel {
            #expect(run(linear, input, rows: 29, gelu: true, level: level) == portable, "path \(level)")
        }
        #expect(run(linear, input, rows: 29, level: 0) != portable)
    }

    @Test func aRowsResultDoesNotDependOnItsNeighbours() {
        let linear = PackedLinear(weight: randomTensor([96, 384], seed: 7), bias: randomTensor([96], seed: 8))
        let all = randomTensor([200, 384], seed: 9)
        let together = run(linear, all, rows: 200)
        for (start, count) in [(0, 1), (5, 3), (17, 25), (150, 50), (100, 13)] {
            let part = Tensor(Array(all.values[(start * 384)..<((start + count) * 384)]), shape: [count, 384])
            #expect(run(linear, part, rows: count) == Array(together[(start * 96)..<((start + count) * 96)]))
        }
    }

    @Test func geluIsCloseToTheExactErfForm() {
        let values: [Float] = stride(from: -8, through: 8, by: 0.01).map { Float($0) }
        let tensor = Tensor(values, shape: [values.count])
        let linear = PackedLinear(weight: Tensor([1], shape: [1, 1]), bias: nil)
        let out = run(linear, tensor, rows: values.count, gelu: true)
        for (x, y) in zip(values, out) {
            let exact = 0.5 * Double(x) * (1 + erf(Double(x) / 2.squareRoot()))
            #expect(abs(exact - Double(y)) < 2e-6, "gelu(\(x))")
        }
    }

    @Test func attentionAndLayerNormGiveIdenticalBitsOnEveryPath() {
        let tokens = 23
        let qkv = randomTensor([tokens, 3 * 64], seed: 10)
        func attention(level: Int) -> ([Float], [Float]) {
            NativeKernels.force(level: level)
            defer { NativeKernels.force(level: nil) }
            let context = Tensor(zeros: [tokens, 64])
            let probabilities = Tensor(zeros: [4, tokens, tokens])
            let scratch = Tensor(zeros: [NativeKernels.attentionScratch(tokens: tokens, headSize: 16)])
            NativeKernels.attention(
                qkv: qkv.pointer, tokens: tokens, hidden: 64, heads: 4, context: context.pointer,
                scratch: scratch.pointer,
                probabilities: probabilities.pointer)
            return (context.values, probabilities.values)
        }
        let portable = attention(level: 0)
        #expect(attention(level: PackedLinear.kernelLevel) == portable)
        for row in stride(from: 0, to: portable.1.count, by: tokens) {
            #expect(abs(portable.1[row..<(row + tokens)].reduce(0, +) - 1) < 1e-5)
        }
        func layerNorm(level: Int) -> [Float] {
            NativeKernels.force(level: level)
            defer { NativeKernels.force(level: nil) }
            let x = randomTensor([5, 384], seed: 11)
            let residual = randomTensor([5, 384], seed: 12)
            let gamma = randomTensor([384], seed: 13)
            let beta = randomTensor([384], seed: 14)
            NativeKernels.addLayerNorm(
                x.pointer, residual: residual.pointer, rows: 5, width: 384, gamma: gamma.pointer, beta: beta.pointer,
                epsilon: 1e-12)
            return x.values
        }
        #expect(layerNorm(level: PackedLinear.kernelLevel) == layerNorm(level: 0))
    }
}
