import Foundation
import Testing

@testable import VoxModel

/// BF16 and int8 projections: every CPU path of one precision gives the same bits, a row's result depends on that
/// row alone, and the results stay close to the exact product. (An extension of the serialized kernel suite,
/// since forcing a kernel path is process-wide.)
extension KernelTests {
    private func layer(_ precision: Precision, outputs: Int, inputs: Int, seed: UInt64) throws -> PackedLinear {
        try PackedLinear(
            weight: randomTensor([outputs, inputs], seed: seed), bias: randomTensor([outputs], seed: seed + 1),
            precision: precision)
    }

    @Test(arguments: [Precision.bf16, .int8])
    func lowPrecisionPathsGiveIdenticalBits(precision: Precision) throws {
        // Odd widths exercise the padding of k (pairs, groups of four) and of the last panel.
        for (rows, inputs, outputs) in [(29, 53, 70), (13, 384, 96), (1, 7, 33)] {
            let linear = try layer(precision, outputs: outputs, inputs: inputs, seed: 20)
            let input = randomTensor([rows * inputs], seed: 21, in: -2...3)
            let portable = run(linear, input, rows: rows, gelu: true, level: 0)
            #expect(portable.allSatisfy { $0.isFinite })
            for level in 1...PackedLinear.detectedKernelLevel {
                let result = run(linear, input, rows: rows, gelu: true, level: level)
                #expect(result == portable, "path \(level)")
            }
        }
    }

    @Test(arguments: [Precision.bf16, .int8])
    func aLowPrecisionRowDependsOnItselfAlone(precision: Precision) throws {
        let linear = try layer(precision, outputs: 96, inputs: 384, seed: 22)
        let all = randomTensor([200 * 384], seed: 23, in: -3...1)
        let together = run(linear, all, rows: 200)
        for (start, count) in [(0, 1), (5, 3), (17, 25), (150, 50), (100, 13)] {
            let part = Tensor(Array(all.values[(start * 384)..<((start + count) * 384)]), shape: [count * 384])
            let alone = run(linear, part, rows: count)
            #expect(alone == Array(together[(start * 96)..<((start + count) * 96)]))
        }
    }

    @Test(arguments: [(Precision.fp32, 1e-5), (.bf16, 0.01), (.int8, 0.02)])
    func lowPrecisionStaysCloseToTheExactProduct(precision: Precision, tolerance: Double) throws {
        let (rows, inputs, outputs) = (17, 384, 64)
        let weight = randomTensor([outputs, inputs], seed: 24)
        let bias = randomTensor([outputs], seed: 25)
        let input = randomTensor([rows * inputs], seed: 26, in: -1...2)
        let result = run(try PackedLinear(weight: weight, bias: bias, precision: precision), input, rows: rows)
        var worst = 0.0
        var scale = 0.0
        for row in 0..<rows {
            for column in 0..<outputs {
                var sum = Double(bias.pointer[column])
                for k in 0..<inputs {
                    sum += Double(input.pointer[row * inputs + k]) * Double(weight.pointer[column * inputs + k])
                }
                worst = max(worst, abs(sum - Double(result[row * outputs + column])))
                scale = max(scale, abs(sum))
            }
        }
        // Relative to the largest output: BF16 keeps 8 bits of each factor, int8 about 7 of each.
        #expect(worst / scale < tolerance, "worst error \(worst) of \(scale)")
        #expect(worst > 0 || precision == .fp32)
    }

    @Test func int8RefusesLayersTooWideForExactSums() {
        let weight = Tensor(zeros: [1, NativeKernels.int8MaxInputs + 1])
        #expect(throws: ModelError.self) { try PackedLinear(weight: weight, bias: nil, precision: .int8) }
    }

    @Test(arguments: [Precision.bf16, .int8])
    func aLowPrecisionEncoderIsBatchInvariantAndCloseToFP32(precision: Precision) throws {
        let config = TinyBertTests.config
        let weights = BertWeights.random(config, seed: 42)
        let low = try BertModel(config: config, weights: weights, precision: precision)
        let full = BertModel(config: config, weights: weights)
        let sequences: [[Int32]] = [[1, 5, 9, 2], [1, 7, 2], [1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 2], [1, 2]]
        let gang = WorkerGang(count: 2)
        let workspace = BertModel.Workspace(config: config, maxSequence: 64, workers: 2)
        low.forward(sequences, workspace: workspace, gang: gang)
        let together = Array(workspace.hiddenStates(tokens: sequences.map(\.count).reduce(0, +)))
        var offset = 0
        for ids in sequences {
            let alone = BertModel.Workspace(config: config, maxSequence: 64)
            low.forward(ids, workspace: alone)
            let mine = Array(together[(offset * 32)..<((offset + ids.count) * 32)])
            #expect(Array(alone.hiddenStates(tokens: ids.count)) == mine)
            full.forward(ids, workspace: alone)
            let reference = Array(alone.hiddenStates(tokens: ids.count))
            let dot = zip(mine, reference).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let norms = sqrt(mine.reduce(0.0) { $0 + Double($1 * $1) } * reference.reduce(0.0) { $0 + Double($1 * $1) })
            #expect(dot / norms > 0.99, "cosine to fp32")
            #expect(mine != reference)
            offset += ids.count
        }
    }

    @Test func autoPicksTheFastestQualifiedPrecision() {
        #expect(PrecisionChoice.auto.resolve { _ in false } == .fp32)
        #expect(PrecisionChoice.int8.resolve { _ in false } == .int8)
        let best = PrecisionChoice.auto.resolve { _ in true }
        #expect(best == Precision.fastestFirst.first)
        #expect(best.hasFastPath)
    }
}
