/// The weights of a BERT encoder, loaded by an explicit list of checkpoint keys (the rest of the file,
/// such as `embeddings.position_ids` and `pooler.*`, is ignored). Query, key and value projections
/// are stored fused, one `[3·hidden, hidden]` matrix per layer, so one product computes all three.
public struct BertWeights: Sendable {
    /// One transformer layer.
    public struct Layer: Sendable {
        /// Fused query/key/value projection, `[3H, H]`, and its bias `[3H]`.
        public var qkvWeight: Tensor
        public var qkvBias: Tensor
        /// Attention output projection `[H, H]` and bias.
        public var attentionOutputWeight: Tensor
        public var attentionOutputBias: Tensor
        /// LayerNorm after attention.
        public var attentionNormWeight: Tensor
        public var attentionNormBias: Tensor
        /// Feed-forward up projection `[I, H]` and bias.
        public var intermediateWeight: Tensor
        public var intermediateBias: Tensor
        /// Feed-forward down projection `[H, I]` and bias.
        public var outputWeight: Tensor
        public var outputBias: Tensor
        /// LayerNorm after the feed-forward block.
        public var outputNormWeight: Tensor
        public var outputNormBias: Tensor
    }

    /// Token embeddings `[V, H]`.
    public var wordEmbeddings: Tensor
    /// Position embeddings `[P, H]`.
    public var positionEmbeddings: Tensor
    /// Token-type embeddings `[T, H]`.
    public var tokenTypeEmbeddings: Tensor
    /// LayerNorm over the summed embeddings.
    public var embeddingNormWeight: Tensor
    public var embeddingNormBias: Tensor
    /// The layers, in order.
    public var layers: [Layer]

    /// The checkpoint keys this model reads, in load order (without any `bert.` prefix).
    public static func keys(_ config: BertConfig) -> [String] {
        var keys = [
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
            "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
        ]
        for layer in 0..<config.numHiddenLayers {
            let prefix = "encoder.layer.\(layer)."
            for suffix in [
                "attention.self.query.weight", "attention.self.query.bias", "attention.self.key.weight",
                "attention.self.key.bias", "attention.self.value.weight", "attention.self.value.bias",
                "attention.output.dense.weight", "attention.output.dense.bias", "attention.output.LayerNorm.weight",
                "attention.output.LayerNorm.bias", "intermediate.dense.weight", "intermediate.dense.bias",
                "output.dense.weight", "output.dense.bias", "output.LayerNorm.weight", "output.LayerNorm.bias",
            ] {
                keys.append(prefix + suffix)
            }
        }
        return keys
    }

    /// Loads the weights from a safetensors file, checking every shape against `config`.
    /// - Throws: `ModelError` naming the missing or misshapen tensor.
    public init(_ file: SafeTensors, config: BertConfig) throws(ModelError) {
        let prefix = file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        let h = config.hiddenSize
        let i = config.intermediateSize
        func load(_ key: String, _ shape: [Int]) throws(ModelError) -> Tensor {
            Tensor(try file.floats(prefix + key, shape: shape), shape: shape)
        }
        wordEmbeddings = try load("embeddings.word_embeddings.weight", [config.vocabSize, h])
        positionEmbeddings = try load("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, h])
        tokenTypeEmbeddings = try load("embeddings.token_type_embeddings.weight", [config.typeVocabSize, h])
        embeddingNormWeight = try load("embeddings.LayerNorm.weight", [h])
        embeddingNormBias = try load("embeddings.LayerNorm.bias", [h])
        layers = []
        for index in 0..<config.numHiddenLayers {
            let p = "encoder.layer.\(index)."
            var qkv: [Float] = []
            var qkvBias: [Float] = []
            for part in ["query", "key", "value"] {
                qkv += try file.floats(prefix + p + "attention.self.\(part).weight", shape: [h, h])
                qkvBias += try file.floats(prefix + p + "attention.self.\(part).bias", shape: [h])
            }
            layers.append(
                Layer(
                    qkvWeight: Tensor(qkv, shape: [3 * h, h]), qkvBias: Tensor(qkvBias, shape: [3 * h]),
                    attentionOutputWeight: try load(p + "attention.output.dense.weight", [h, h]),
                    attentionOutputBias: try load(p + "attention.output.dense.bias", [h]),
                    attentionNormWeight: try load(p + "attention.output.LayerNorm.weight", [h]),
                    attentionNormBias: try load(p + "attention.output.LayerNorm.bias", [h]),
                    intermediateWeight: try load(p + "intermediate.dense.weight", [i, h]),
                    intermediateBias: try load(p + "intermediate.dense.bias", [i]),
                    outputWeight: try load(p + "output.dense.weight", [h, i]),
                    outputBias: try load(p + "output.dense.bias", [h]),
                    outputNormWeight: try load(p + "output.LayerNorm.weight", [h]),
                    outputNormBias: try load(p + "output.LayerNorm.bias", [h])))
        }
    }

    /// Random weights for tests (a fixed seed gives the same weights).
    public static func random(_ config: BertConfig, seed: UInt64) -> BertWeights {
        var generator = SeededGenerator(seed: seed)
        func tensor(_ shape: [Int], scale: Float = 0.1, offset: Float = 0) -> Tensor {
            Tensor(
                (0..<shape.reduce(1, *)).map { _ in offset + Float.random(in: -scale...scale, using: &generator) },
                shape: shape)
        }
        let h = config.hiddenSize
        let i = config.intermediateSize
        return BertWeights(
            wordEmbeddings: tensor([config.vocabSize, h]),
            positionEmbeddings: tensor([config.maxPositionEmbeddings, h]),
            tokenTypeEmbeddings: tensor([config.typeVocabSize, h]), embeddingNormWeight: tensor([h], offset: 1),
            embeddingNormBias: tensor([h]),
            layers: (0..<config.numHiddenLayers).map { _ in
                Layer(
                    qkvWeight: tensor([3 * h, h]), qkvBias: tensor([3 * h]), attentionOutputWeight: tensor([h, h]),
                    attentionOutputBias: tensor([h]), attentionNormWeight: tensor([h], offset: 1),
                    attentionNormBias: tensor([h]), intermediateWeight: tensor([i, h]), intermediateBias: tensor([i]),
                    outputWeight: tensor([h, i]), outputBias: tensor([h]), outputNormWeight: tensor([h], offset: 1),
                    outputNormBias: tensor([h]))
            })
    }

    private init(
        wordEmbeddings: Tensor, positionEmbeddings: Tensor, tokenTypeEmbeddings: Tensor, embeddingNormWeight: Tensor,
        embeddingNormBias: Tensor, layers: [Layer]
    ) {
        self.wordEmbeddings = wordEmbeddings
        self.positionEmbeddings = positionEmbeddings
        self.tokenTypeEmbeddings = tokenTypeEmbeddings
        self.embeddingNormWeight = embeddingNormWeight
        self.embeddingNormBias = embeddingNormBias
        self.layers = layers
    }
}

/// A small deterministic random number generator (SplitMix64) for reproducible weights and shuffles.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
