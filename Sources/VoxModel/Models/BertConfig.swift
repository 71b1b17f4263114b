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
}
