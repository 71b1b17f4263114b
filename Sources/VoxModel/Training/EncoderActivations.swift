/// What one training forward pass of the encoder keeps for its backward pass, for a batch of `tokens` tokens.
final class EncoderActivations {
    /// One layer's saved tensors (names follow `TrainableEncoder+Pass.swift`).
    struct Layer {
        let input: Tensor, qkv: Tensor, qkvA: Tensor, probabilities: Tensor, context: Tensor, contextA: Tensor
        let attentionMask: Tensor, attentionHat: Tensor, attentionRstd: Tensor, attention: Tensor, attentionA: Tensor
        let upPre: Tensor, up: Tensor, upA: Tensor, outputMask: Tensor, outputHat: Tensor, outputRstd: Tensor
    }

    let sequences: [[Int32]]
    let starts: [Int]
    let tokens: Int
    let embeddingHat: Tensor
    let embeddingRstd: Tensor
    let layers: [Layer]
    /// The encoder's output, `[tokens, hidden]`.
    let output: Tensor

    init(sequences: [[Int32]], config: BertConfig, rank: Int) {
        self.sequences = sequences
        var starts: [Int] = []
        var total = 0
        for ids in sequences {
            starts.append(total)
            total += ids.count
        }
        self.starts = starts
        tokens = total
        let h = config.hiddenSize
        let i = config.intermediateSize
        let r = max(rank, 1)
        let attentionSize = sequences.reduce(0) { $0 + config.numAttentionHeads * $1.count * $1.count }
        embeddingHat = Tensor(zeros: [total, h])
        embeddingRstd = Tensor(zeros: [total])
        layers = (0..<config.numHiddenLayers).map { _ in
            Layer(
                input: Tensor(zeros: [total, h]), qkv: Tensor(zeros: [total, 3 * h]), qkvA: Tensor(zeros: [total, r]),
                probabilities: Tensor(zeros: [attentionSize]), context: Tensor(zeros: [total, h]),
                contextA: Tensor(zeros: [total, r]), attentionMask: Tensor(zeros: [total, h]),
                attentionHat: Tensor(zeros: [total, h]), attentionRstd: Tensor(zeros: [total]),
                attention: Tensor(zeros: [total, h]), attentionA: Tensor(zeros: [total, r]),
                upPre: Tensor(zeros: [total, i]),
                up: Tensor(zeros: [total, i]), upA: Tensor(zeros: [total, r]), outputMask: Tensor(zeros: [total, h]),
                outputHat: Tensor(zeros: [total, h]), outputRstd: Tensor(zeros: [total]))
        }
        output = Tensor(zeros: [total, h])
    }
}
