// BERT encoder fine-tuning: the forward pass of Models/Bert.swift with saved activations, and its backward pass.

/// How the encoder is fine-tuned.
public struct FineTuning: Codable, Sendable, Equatable {
    /// LoRA rank on every projection (QKV, attention output, FFN up and down); 0 trains the full weights.
    public var loraRank: Int = 8
    /// LoRA scaling numerator α (the update is scaled by α/r).
    public var loraAlpha: Float = 16
    /// Dropout on attention and feed-forward outputs, as BERT does.
    public var dropout: Float = 0.1

    /// Default LoRA settings.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case loraRank = "lora_rank"
        case loraAlpha = "lora_alpha"
        case dropout
    }
}

/// The encoder being fine-tuned: trainable copies of what training changes (LayerNorms, biases, LoRA
/// adapters, and in full fine-tuning the weights), sharing the frozen base weights otherwise.
final class TrainableEncoder: @unchecked Sendable {
    // @unchecked: owned by one trainer and used from its thread only.
    struct Layer {
        let qkv: TrainableLinear
        let attentionOutput: TrainableLinear
        let attentionNorm: TrainableLayerNorm
        let up: TrainableLinear
        let down: TrainableLinear
        let outputNorm: TrainableLayerNorm
    }

    let config: BertConfig
    let base: BertWeights
    let tuning: FineTuning
    let embeddingNorm: TrainableLayerNorm
    let wordEmbeddings: Parameter?
    let positionEmbeddings: Parameter?
    let layers: [Layer]
    let backend: any MatrixBackend
    let gang: WorkerGang

    /// - Parameter precision: The arithmetic of the frozen projections in LoRA training (full fine-tuning trains
    ///   every weight in fp32).
    init(
        model: BertModel, tuning: FineTuning, seed: UInt64, backend: any MatrixBackend, threads: Int = 2,
        precision: Precision = .fp32
    ) throws(ModelError) {
        let gang = WorkerGang(count: threads)
        let staging = StagingBuffer()
        self.gang = gang
        let config = model.config
        self.config = config
        base = model.weights
        self.tuning = tuning
        self.backend = backend
        var generator = SeededGenerator(seed: seed)
        let full = tuning.loraRank == 0
        let w = model.weights
        embeddingNorm = TrainableLayerNorm(
            name: "embeddings.LayerNorm", gamma: w.embeddingNormWeight, beta: w.embeddingNormBias,
            epsilon: config.layerNormEps)
        wordEmbeddings =
            full
            ? Parameter(
                name: "embeddings.word_embeddings.weight",
                value: Tensor(w.wordEmbeddings.values, shape: w.wordEmbeddings.shape), decays: false) : nil
        positionEmbeddings =
            full
            ? Parameter(
                name: "embeddings.position_embeddings.weight",
                value: Tensor(w.positionEmbeddings.values, shape: w.positionEmbeddings.shape), decays: false) : nil
        let epsilon = config.layerNormEps
        var layers: [Layer] = []
        for (index, layer) in w.layers.enumerated() {
            let p = "encoder.layer.\(index)."
            func linear(_ name: String, _ weight: Tensor, _ bias: Tensor) throws(ModelError) -> TrainableLinear {
                try TrainableLinear(
                    name: p + name, weight: weight, bias: bias, full: full, rank: tuning.loraRank,
                    alpha: tuning.loraAlpha, generator: &generator, backend: backend, gang: gang,
                    precision: full ? .fp32 : precision, staging: staging)
            }
            layers.append(
                Layer(
                    qkv: try linear("attention.qkv", layer.qkvWeight, layer.qkvBias),
                    attentionOutput: try linear(
                        "attention.output.dense", layer.attentionOutputWeight, layer.attentionOutputBias),
                    attentionNorm: TrainableLayerNorm(
                        name: p + "attention.output.LayerNorm", gamma: layer.attentionNormWeight,
                        beta: layer.attentionNormBias,
                        epsilon: epsilon),
                    up: try linear("intermediate.dense", layer.intermediateWeight, layer.intermediateBias),
                    down: try linear("output.dense", layer.outputWeight, layer.outputBias),
                    outputNorm: TrainableLayerNorm(
                        name: p + "output.LayerNorm", gamma: layer.outputNormWeight, beta: layer.outputNormBias,
                        epsilon: epsilon)))
        }
        self.layers = layers
    }

    /// Every trainable parameter.
    var parameters: [Parameter] {
        var all = embeddingNorm.parameters + [wordEmbeddings, positionEmbeddings].compactMap { $0 }
        for layer in layers {
            all += layer.qkv.parameters + layer.attentionOutput.parameters + layer.attentionNorm.parameters
            all += layer.up.parameters + layer.down.parameters + layer.outputNorm.parameters
        }
        return all
    }

    /// The weights with every change applied (LoRA merged), for the inference engine.
    func mergedWeights() -> BertWeights {
        var weights = base
        weights.embeddingNormWeight = embeddingNorm.gamma.value
        weights.embeddingNormBias = embeddingNorm.beta.value
        if let wordEmbeddings { weights.wordEmbeddings = wordEmbeddings.value }
        if let positionEmbeddings { weights.positionEmbeddings = positionEmbeddings.value }
        weights.layers = zip(base.layers, layers).map { original, layer in
            var merged = original
            merged.qkvWeight = layer.qkv.mergedWeight()
            merged.qkvBias = layer.qkv.bias
            merged.attentionOutputWeight = layer.attentionOutput.mergedWeight()
            merged.attentionOutputBias = layer.attentionOutput.bias
            merged.attentionNormWeight = layer.attentionNorm.gamma.value
            merged.attentionNormBias = layer.attentionNorm.beta.value
            merged.intermediateWeight = layer.up.mergedWeight()
            merged.intermediateBias = layer.up.bias
            merged.outputWeight = layer.down.mergedWeight()
            merged.outputBias = layer.down.bias
            merged.outputNormWeight = layer.outputNorm.gamma.value
            merged.outputNormBias = layer.outputNorm.beta.value
            return merged
        }
        return weights
    }
}
