extension TrainableEncoder {
    /// The training forward pass over a batch of sequences packed back to back, saving activations.
    /// - Parameters:
    ///   - sequences: Token ids per sequence.
    ///   - dropout: Whether dropout is active (training) or not (evaluation, gradient checks).
    ///   - generator: Draws the dropout masks.
    ///   - wordScale: Scales every word embedding before positions are added (integrated gradients walks it
    ///     from 0 to 1); 1 otherwise.
    func forward(
        _ sequences: [[Int32]], dropout: Bool, generator: inout SeededGenerator, wordScale: Float = 1
    ) -> EncoderActivations {
        let saved = EncoderActivations(sequences: sequences, config: config, rank: tuning.loraRank)
        let total = saved.tokens
        let h = config.hiddenSize
        let heads = config.numAttentionHeads
        let first = saved.layers.first?.input ?? saved.output
        let words = wordEmbeddings?.value ?? base.wordEmbeddings
        let positions = positionEmbeddings?.value ?? base.positionEmbeddings
        var row = 0
        for ids in sequences {
            for (position, id) in ids.enumerated() {
                let token = Int(id) >= 0 && Int(id) < config.vocabSize ? Int(id) : 0
                let out = first.pointer + row * h
                for index in 0..<h {
                    out[index] =
                        wordScale * words.pointer[token * h + index] + positions.pointer[position * h + index]
                        + base.tokenTypeEmbeddings.pointer[index]
                }
                row += 1
            }
        }
        embeddingNorm.forward(
            first.pointer, rows: total, output: first.pointer, normalized: saved.embeddingHat.pointer,
            rstd: saved.embeddingRstd.pointer)
        let scratch = Tensor(zeros: [
            NativeKernels.attentionScratch(tokens: max(1, sequences.map(\.count).max() ?? 1), headSize: config.headSize)
        ])
        let keep = 1 - tuning.dropout
        for (index, layer) in layers.enumerated() {
            let s = saved.layers[index]
            let next = index + 1 < layers.count ? saved.layers[index + 1].input : saved.output
            layer.qkv.forward(
                s.input.pointer, rows: total, output: s.qkv.pointer, xa: layer.qkv.rank > 0 ? s.qkvA.pointer : nil)
            var offset = 0
            for (sequence, ids) in sequences.enumerated() {
                let start = saved.starts[sequence]
                NativeKernels.attention(
                    qkv: s.qkv.pointer + start * 3 * h, tokens: ids.count, hidden: h, heads: heads,
                    context: s.context.pointer + start * h, scratch: scratch.pointer,
                    probabilities: s.probabilities.pointer + offset)
                offset += heads * ids.count * ids.count
            }
            // Attention output, dropout, residual, LayerNorm (into `attention`).
            let buffer = s.attention.pointer
            layer.attentionOutput.forward(
                s.context.pointer, rows: total, output: buffer,
                xa: layer.attentionOutput.rank > 0 ? s.contextA.pointer : nil)
            TrainableEncoder.dropout(
                buffer, mask: s.attentionMask.pointer, count: total * h, keep: dropout ? keep : 1, generator: &generator
            )
            for element in 0..<(total * h) { buffer[element] += s.input.pointer[element] }
            layer.attentionNorm.forward(
                buffer, rows: total, output: buffer, normalized: s.attentionHat.pointer, rstd: s.attentionRstd.pointer)
            // Feed-forward with GELU, dropout, residual, LayerNorm (into the next layer's input).
            layer.up.forward(
                buffer, rows: total, output: s.upPre.pointer, xa: layer.up.rank > 0 ? s.attentionA.pointer : nil)
            s.up.pointer.update(from: s.upPre.pointer, count: s.up.count)
            NativeKernels.gelu(s.up.pointer, count: s.up.count)
            layer.down.forward(
                s.up.pointer, rows: total, output: next.pointer, xa: layer.down.rank > 0 ? s.upA.pointer : nil)
            TrainableEncoder.dropout(
                next.pointer, mask: s.outputMask.pointer, count: total * h, keep: dropout ? keep : 1,
                generator: &generator)
            for element in 0..<(total * h) { next.pointer[element] += buffer[element] }
            layer.outputNorm.forward(
                next.pointer, rows: total, output: next.pointer, normalized: s.outputHat.pointer,
                rstd: s.outputRstd.pointer)
        }
        return saved
    }

    /// Backpropagates `gradient` (`[tokens, hidden]`, the loss's gradient with respect to the encoder's output)
    /// through every layer, accumulating every trainable parameter's gradient.
    /// - Returns: The gradient with respect to the embeddings' sum (word + position + type, before their
    ///   LayerNorm), `[tokens, hidden]`: what attributions to the input words are computed from.
    @discardableResult
    func backward(_ saved: EncoderActivations, gradient: Tensor) -> Tensor {
        let total = saved.tokens
        let h = config.hiddenSize
        let heads = config.numAttentionHeads
        let d = config.headSize
        let scale = 1 / Float(d).squareRoot()
        let maxLength = saved.sequences.map(\.count).max() ?? 1
        var dOut = Tensor(gradient.values, shape: gradient.shape)
        let g1 = Tensor(zeros: [total, h])
        let g2 = Tensor(zeros: [total, h])
        let gContext = Tensor(zeros: [total, h])
        let gUp = Tensor(zeros: [total, config.intermediateSize])
        let gQKV = Tensor(zeros: [total, 3 * h])
        let rankScratch = Tensor(zeros: [total, max(1, tuning.loraRank)])
        let dP = Tensor(zeros: [maxLength * maxLength])
        for (index, layer) in layers.enumerated().reversed() {
            let s = saved.layers[index]
            // Output LayerNorm → residual branch (g2) and dropout'd down projection (g1).
            layer.outputNorm.backward(
                dOut.pointer, normalized: s.outputHat.pointer, rstd: s.outputRstd.pointer, rows: total, dx: g1.pointer)
            g2.pointer.update(from: g1.pointer, count: total * h)
            for element in 0..<(total * h) { g1.pointer[element] *= s.outputMask.pointer[element] }
            layer.down.backward(
                g1.pointer, input: s.up.pointer, xa: s.upA.pointer, rows: total, dx: gUp.pointer, accumulate: false,
                scratch: rankScratch.pointer)
            NativeKernels.geluBackward(s.upPre.pointer, gUp.pointer, count: gUp.count)
            layer.up.backward(
                gUp.pointer, input: s.attention.pointer, xa: s.attentionA.pointer, rows: total, dx: g2.pointer,
                accumulate: true, scratch: rankScratch.pointer)
            // Attention LayerNorm → residual to the layer input, dropout'd output projection.
            layer.attentionNorm.backward(
                g2.pointer, normalized: s.attentionHat.pointer, rstd: s.attentionRstd.pointer, rows: total,
                dx: g2.pointer)
            let dInput = Tensor(g2.values, shape: g2.shape)
            for element in 0..<(total * h) { g2.pointer[element] *= s.attentionMask.pointer[element] }
            layer.attentionOutput.backward(
                g2.pointer, input: s.context.pointer, xa: s.contextA.pointer, rows: total, dx: gContext.pointer,
                accumulate: false, scratch: rankScratch.pointer)
            // Attention, sequence by sequence and head by head.
            var offset = 0
            for (sequence, ids) in saved.sequences.enumerated() {
                let length = ids.count
                let start = saved.starts[sequence]
                for head in 0..<heads {
                    let p = s.probabilities.pointer + offset + head * length * length
                    let q = s.qkv.pointer + start * 3 * h + head * d
                    let k = q + h
                    let v = q + 2 * h
                    let dC = gContext.pointer + start * h + head * d
                    let dQ = gQKV.pointer + start * 3 * h + head * d
                    let dK = dQ + h
                    let dV = dQ + 2 * h
                    backend.gemm(
                        transposeA: true, transposeB: false, m: length, n: d, k: length, alpha: 1, a: p, lda: length,
                        b: dC, ldb: h, beta: 0, c: dV, ldc: 3 * h)
                    backend.gemm(
                        transposeA: false, transposeB: true, m: length, n: length, k: d, alpha: 1, a: dC, lda: h, b: v,
                        ldb: 3 * h, beta: 0, c: dP.pointer, ldc: length)
                    for row in 0..<length {
                        var dot: Float = 0
                        for column in 0..<length { dot += dP.pointer[row * length + column] * p[row * length + column] }
                        for column in 0..<length {
                            dP.pointer[row * length + column] =
                                p[row * length + column] * (dP.pointer[row * length + column] - dot)
                        }
                    }
                    backend.gemm(
                        transposeA: false, transposeB: false, m: length, n: d, k: length, alpha: scale, a: dP.pointer,
                        lda: length, b: k, ldb: 3 * h, beta: 0, c: dQ, ldc: 3 * h)
                    backend.gemm(
                        transposeA: true, transposeB: false, m: length, n: d, k: length, alpha: scale, a: dP.pointer,
                        lda: length, b: q, ldb: 3 * h, beta: 0, c: dK, ldc: 3 * h)
                }
                offset += heads * length * length
            }
            layer.qkv.backward(
                gQKV.pointer, input: s.input.pointer, xa: s.qkvA.pointer, rows: total, dx: dInput.pointer,
                accumulate: true, scratch: rankScratch.pointer)
            dOut = dInput
        }
        embeddingNorm.backward(
            dOut.pointer, normalized: saved.embeddingHat.pointer, rstd: saved.embeddingRstd.pointer, rows: total,
            dx: dOut.pointer)
        if let wordEmbeddings, let positionEmbeddings {
            var row = 0
            for ids in saved.sequences {
                for (position, id) in ids.enumerated() {
                    let token = Int(id) >= 0 && Int(id) < config.vocabSize ? Int(id) : 0
                    for index in 0..<h {
                        let g = dOut.pointer[row * h + index]
                        wordEmbeddings.gradient.pointer[token * h + index] += g
                        positionEmbeddings.gradient.pointer[position * h + index] += g
                    }
                    row += 1
                }
            }
        }
        return dOut
    }

    /// Inverted dropout: keeps each value with probability `keep`, scaling kept values by 1/keep; records the multipliers.
    static func dropout(
        _ x: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>, count: Int, keep: Float,
        generator: inout SeededGenerator
    ) {
        guard keep < 1 else {
            mask.update(repeating: 1, count: count)
            return
        }
        let threshold = UInt64(Double(keep) * Double(UInt64.max))
        let scale = 1 / keep
        for index in 0..<count {
            let multiplier: Float = generator.next() < threshold ? scale : 0
            mask[index] = multiplier
            x[index] *= multiplier
        }
    }
}
