// BERT encoder (Devlin et al. 2019) as in Hugging Face transformers' BertModel, inference only.
import Foundation

/// A BERT encoder running one sequence at a time on unpadded tokens: embeddings and LayerNorm, then per
/// layer fused QKV projection, per-head scaled dot-product attention over the sequence's own length,
/// output projection, residual + LayerNorm, exact-GELU feed-forward, residual + LayerNorm.
///
/// A sequence's result depends only on its own tokens (never on what else is in a batch), so it is
/// bitwise identical whether encoded alone or among others.
public final class BertModel: Sendable {
    /// The architecture.
    public let config: BertConfig
    /// The weights.
    public let weights: BertWeights
    /// Where matrix products run.
    public let backend: any MatrixBackend

    /// Creates a model.
    public init(config: BertConfig, weights: BertWeights, backend: any MatrixBackend = OpenBLASBackend()) {
        precondition(config.hiddenSize % config.numAttentionHeads == 0, "hidden size must divide into heads")
        self.config = config
        self.weights = weights
        self.backend = backend
    }

    /// Loads `config.json` and `model.safetensors` from a folder.
    /// - Throws: `ModelError` when a file is missing or malformed.
    public static func load(directory: String, backend: any MatrixBackend = OpenBLASBackend()) throws(ModelError) -> BertModel {
        let configPath = directory + "/config.json"
        guard let data = FileManager.default.contents(atPath: configPath) else {
            throw ModelError(.missing, "no config.json in \(directory)")
        }
        let config: BertConfig
        do {
            config = try JSONDecoder().decode(BertConfig.self, from: data)
        } catch {
            throw ModelError(.format, "\(configPath) is not a BERT configuration: \(error)")
        }
        guard config.hiddenAct == "gelu" else {
            throw ModelError(.format, "\(configPath): activation \(config.hiddenAct) is not supported (only exact gelu)")
        }
        let file = try SafeTensors(path: directory + "/model.safetensors")
        return BertModel(config: config, weights: try BertWeights(file, config: config), backend: backend)
    }

    /// Scratch memory for one thread's forward passes, sized for `maxTokens`.
    public final class Workspace {
        let maxTokens: Int
        let hidden: UnsafeMutablePointer<Float>
        let qkv: UnsafeMutablePointer<Float>
        let context: UnsafeMutablePointer<Float>
        let projected: UnsafeMutablePointer<Float>
        let intermediate: UnsafeMutablePointer<Float>
        let scores: UnsafeMutablePointer<Float>

        /// Allocates buffers for sequences of up to `maxTokens` tokens.
        public init(config: BertConfig, maxTokens: Int) {
            self.maxTokens = maxTokens
            let h = config.hiddenSize
            hidden = .allocate(capacity: maxTokens * h)
            qkv = .allocate(capacity: maxTokens * 3 * h)
            context = .allocate(capacity: maxTokens * h)
            projected = .allocate(capacity: maxTokens * h)
            intermediate = .allocate(capacity: maxTokens * config.intermediateSize)
            scores = .allocate(capacity: maxTokens * maxTokens)
        }

        deinit {
            hidden.deallocate()
            qkv.deallocate()
            context.deallocate()
            projected.deallocate()
            intermediate.deallocate()
            scores.deallocate()
        }

        /// The final hidden states of the last forward pass, `[tokens, hidden]`.
        public func hiddenStates(tokens: Int, width: Int) -> UnsafeBufferPointer<Float> {
            UnsafeBufferPointer(start: hidden, count: tokens * width)
        }
    }

    /// What a forward pass can record besides its output.
    public struct Trace: Sendable {
        /// The embedding output, then each layer's output, each `[tokens · hidden]`.
        public var hiddenStates: [[Float]] = []
        /// Each layer's attention probabilities, `[heads · tokens · tokens]`.
        public var attentions: [[Float]] = []

        /// An empty trace.
        public init() {}
    }

    /// Runs the encoder over `ids`, leaving the final hidden states in `workspace`.
    /// - Parameters:
    ///   - ids: Token ids, `[CLS]` … `[SEP]`, at most `workspace`'s and the position table's length.
    ///   - workspace: This thread's scratch memory.
    ///   - trace: When given, receives every layer's hidden states and attention probabilities.
    public func forward(_ ids: [Int32], workspace: Workspace, trace: UnsafeMutablePointer<Trace>? = nil) {
        let tokens = ids.count
        precondition(tokens > 0 && tokens <= workspace.maxTokens && tokens <= config.maxPositionEmbeddings, "bad sequence length \(tokens)")
        let h = config.hiddenSize
        let x = workspace.hidden
        for (row, id) in ids.enumerated() {
            let token = Int(id) < config.vocabSize && id >= 0 ? Int(id) : 0
            let word = weights.wordEmbeddings.pointer + token * h
            let position = weights.positionEmbeddings.pointer + row * h
            let type = weights.tokenTypeEmbeddings.pointer
            let out = x + row * h
            for index in 0..<h { out[index] = word[index] + position[index] + type[index] }
        }
        Kernels.addLayerNorm(
            x, residual: nil, rows: tokens, width: h, gamma: weights.embeddingNormWeight.pointer,
            beta: weights.embeddingNormBias.pointer, epsilon: config.layerNormEps)
        trace?.pointee.hiddenStates.append(Array(UnsafeBufferPointer(start: x, count: tokens * h)))
        for layer in weights.layers {
            runLayer(layer, tokens: tokens, workspace: workspace, trace: trace)
            trace?.pointee.hiddenStates.append(Array(UnsafeBufferPointer(start: x, count: tokens * h)))
        }
    }

    private func runLayer(_ layer: BertWeights.Layer, tokens: Int, workspace: Workspace, trace: UnsafeMutablePointer<Trace>?) {
        let h = config.hiddenSize
        let heads = config.numAttentionHeads
        let d = config.headSize
        let inner = config.intermediateSize
        let x = workspace.hidden
        let qkv = workspace.qkv
        // Fused Q, K, V projection: [tokens, 3H].
        Kernels.broadcastRows(layer.qkvBias.pointer, rows: tokens, width: 3 * h, into: qkv)
        backend.gemm(
            transposeA: false, transposeB: true, m: tokens, n: 3 * h, k: h, alpha: 1, a: x, lda: h,
            b: layer.qkvWeight.pointer, ldb: h, beta: 1, c: qkv, ldc: 3 * h)
        // Attention per head over this sequence's own tokens.
        let scale = 1 / Float(d).squareRoot()
        var probabilities: [Float] = []
        for head in 0..<heads {
            let q = qkv + head * d
            let k = qkv + h + head * d
            let v = qkv + 2 * h + head * d
            backend.gemm(
                transposeA: false, transposeB: true, m: tokens, n: tokens, k: d, alpha: scale, a: q, lda: 3 * h,
                b: k, ldb: 3 * h, beta: 0, c: workspace.scores, ldc: tokens)
            Kernels.softmaxRows(workspace.scores, rows: tokens, width: tokens)
            if trace != nil { probabilities += UnsafeBufferPointer(start: workspace.scores, count: tokens * tokens) }
            backend.gemm(
                transposeA: false, transposeB: false, m: tokens, n: d, k: tokens, alpha: 1, a: workspace.scores,
                lda: tokens, b: v, ldb: 3 * h, beta: 0, c: workspace.context + head * d, ldc: h)
        }
        trace?.pointee.attentions.append(probabilities)
        // Output projection, residual, LayerNorm.
        let projected = workspace.projected
        Kernels.broadcastRows(layer.attentionOutputBias.pointer, rows: tokens, width: h, into: projected)
        backend.gemm(
            transposeA: false, transposeB: true, m: tokens, n: h, k: h, alpha: 1, a: workspace.context, lda: h,
            b: layer.attentionOutputWeight.pointer, ldb: h, beta: 1, c: projected, ldc: h)
        Kernels.addLayerNorm(
            projected, residual: x, rows: tokens, width: h, gamma: layer.attentionNormWeight.pointer,
            beta: layer.attentionNormBias.pointer, epsilon: config.layerNormEps)
        // Feed-forward with exact GELU, residual, LayerNorm; the result goes back into `x`.
        let up = workspace.intermediate
        Kernels.broadcastRows(layer.intermediateBias.pointer, rows: tokens, width: inner, into: up)
        backend.gemm(
            transposeA: false, transposeB: true, m: tokens, n: inner, k: h, alpha: 1, a: projected, lda: h,
            b: layer.intermediateWeight.pointer, ldb: h, beta: 1, c: up, ldc: inner)
        Kernels.gelu(up, count: tokens * inner)
        Kernels.broadcastRows(layer.outputBias.pointer, rows: tokens, width: h, into: x)
        backend.gemm(
            transposeA: false, transposeB: true, m: tokens, n: h, k: inner, alpha: 1, a: up, lda: inner,
            b: layer.outputWeight.pointer, ldb: inner, beta: 1, c: x, ldc: h)
        Kernels.addLayerNorm(
            x, residual: projected, rows: tokens, width: h, gamma: layer.outputNormWeight.pointer,
            beta: layer.outputNormBias.pointer, epsilon: config.layerNormEps)
    }
}
