/// A BERT encoder's `config.json`, as Hugging Face writes it.
public struct BertConfig: Codable, Sendable, Equatable {
    /// Hidden width (384 for all-MiniLM-L6-v2).
    public var hiddenSize: Int
    /// Number of transformer layers.
    public var numHiddenLayers: Int
    /// Attention heads per layer.
    public var numAttentionHeads: Int
    /// Width of the feed-forward layer.
    public var intermediateSize: Int
    /// Vocabulary size.
    public var vocabSize: Int
    /// Longest input the position embeddings cover.
    public var maxPositionEmbeddings: Int
    /// Number of token types (segments).
    public var typeVocabSize: Int
    /// LayerNorm epsilon.
    public var layerNormEps: Float
    /// The activation (`gelu` is the exact, erf-based one).
    public var hiddenAct: String

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case vocabSize = "vocab_size"
        case maxPositionEmbeddings = "max_position_embeddings"
        case typeVocabSize = "type_vocab_size"
        case layerNormEps = "layer_norm_eps"
        case hiddenAct = "hidden_act"
    }

    /// Creates a configuration (tests use tiny ones).
    public init(
        hiddenSize: Int, numHiddenLayers: Int, numAttentionHeads: Int, intermediateSize: Int, vocabSize: Int,
        maxPositionEmbeddings: Int = 512, typeVocabSize: Int = 2, layerNormEps: Float = 1e-12,
        hiddenAct: String = "gelu"
    ) {
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.vocabSize = vocabSize
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps
        self.hiddenAct = hiddenAct
    }

    /// Width of one attention head.
    public var headSize: Int { hiddenSize / numAttentionHeads }

    /// Checks every number against what the engine can run.
    /// - Throws: `ModelError` naming `file` and the field.
    public func validate(file: String) throws(ModelError) {
        func check(_ ok: Bool, _ what: String) throws(ModelError) {
            guard ok else { throw ModelError(.format, "\(file): \(what)") }
        }
        try check((1...65_536).contains(hiddenSize), "hidden_size is \(hiddenSize), not in 1…65536")
        try check((1...256).contains(numHiddenLayers), "num_hidden_layers is \(numHiddenLayers), not in 1…256")
        try check(
            (1...hiddenSize).contains(numAttentionHeads) && hiddenSize % numAttentionHeads == 0,
            "num_attention_heads is \(numAttentionHeads), which does not divide hidden_size \(hiddenSize)")
        try check(
            (1...1_048_576).contains(intermediateSize), "intermediate_size is \(intermediateSize), not in 1…1048576")
        try check((1...16_777_216).contains(vocabSize), "vocab_size is \(vocabSize), not in 1…16777216")
        try check(
            (1...65_536).contains(maxPositionEmbeddings),
            "max_position_embeddings is \(maxPositionEmbeddings), not in 1…65536")
        try check((1...1024).contains(typeVocabSize), "type_vocab_size is \(typeVocabSize), not in 1…1024")
        try check(
            layerNormEps.isFinite && layerNormEps > 0 && layerNormEps < 1,
            "layer_norm_eps is \(layerNormEps), not a small positive number")
    }
}
