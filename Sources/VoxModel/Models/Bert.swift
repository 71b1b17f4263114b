// BERT encoder (Devlin et al. 2019) as in Hugging Face transformers' BertModel, inference only.
import Foundation

/// A BERT encoder over batches of unpadded sequences packed back to back: embeddings and LayerNorm,
/// then per layer a fused QKV projection over all tokens, per-head scaled dot-product attention over
/// each sequence's own length, output projection, residual + LayerNorm, exact-GELU feed-forward,
/// residual + LayerNorm.
///
/// Projections run on Vox's own kernel over pre-packed weights, in which every output element is one
/// fixed chain of fused multiply-adds; attention runs per sequence. A sequence's result therefore
/// depends only on its own tokens: bitwise identical whether encoded alone or in any batch.
public final class BertModel: Sendable {
    /// The architecture.
    public let config: BertConfig
    /// The weights.
    public let weights: BertWeights
    /// Where general matrix products run (training's backward pass); inference uses the packed kernels.
    public let backend: any MatrixBackend
    /// The arithmetic of the projections.
    public let precision: Precision
    /// The projections, packed for the kernel: per layer QKV, attention output, FFN up, FFN down.
    let packed: [(qkv: PackedLinear, attention: PackedLinear, up: PackedLinear, down: PackedLinear)]

    private init(
        config: BertConfig, weights: BertWeights, backend: any MatrixBackend, precision: Precision,
        packed: [(qkv: PackedLinear, attention: PackedLinear, up: PackedLinear, down: PackedLinear)]
    ) {
        precondition(config.hiddenSize % config.numAttentionHeads == 0, "hidden size must divide into heads")
        self.config = config
        self.weights = weights
        self.backend = backend
        self.precision = precision
        self.packed = packed
    }

    /// Creates a model whose projections run in fp32.
    public convenience init(config: BertConfig, weights: BertWeights, backend: any MatrixBackend = OpenBLASBackend()) {
        let packed = weights.layers.map { layer in
            (
                PackedLinear(weight: layer.qkvWeight, bias: layer.qkvBias),
                PackedLinear(weight: layer.attentionOutputWeight, bias: layer.attentionOutputBias),
                PackedLinear(weight: layer.intermediateWeight, bias: layer.intermediateBias),
                PackedLinear(weight: layer.outputWeight, bias: layer.outputBias)
            )
        }
        self.init(config: config, weights: weights, backend: backend, precision: .fp32, packed: packed)
    }

    /// Creates a model whose projections run at `precision` (weights packed once, here).
    /// - Throws: `ModelError` when a layer is too wide for the precision.
    public convenience init(
        config: BertConfig, weights: BertWeights, backend: any MatrixBackend = OpenBLASBackend(), precision: Precision
    ) throws(ModelError) {
        var packed: [(qkv: PackedLinear, attention: PackedLinear, up: PackedLinear, down: PackedLinear)] = []
        for layer in weights.layers {
            packed.append(
                (
                    try PackedLinear(weight: layer.qkvWeight, bias: layer.qkvBias, precision: precision),
                    try PackedLinear(
                        weight: layer.attentionOutputWeight, bias: layer.attentionOutputBias, precision: precision),
                    try PackedLinear(
                        weight: layer.intermediateWeight, bias: layer.intermediateBias, precision: precision),
                    try PackedLinear(weight: layer.outputWeight, bias: layer.outputBias, precision: precision)
                ))
        }
        self.init(config: config, weights: weights, backend: backend, precision: precision, packed: packed)
    }

    /// Loads `config.json` and `model.safetensors` from a folder.
    /// - Throws: `ModelError` when a file is missing or malformed.
    public static func load(
        directory: String, backend: any MatrixBackend = OpenBLASBackend(), precision: Precision = .fp32
    ) throws(ModelError) -> BertModel {
        let configPath = directory + "/config.json"
        guard let data = FileManager.default.contents(atPath: configPath) else {
            throw ModelError(.missing, "no config.json in \(directory)")
        }
        let config: BertConfig
        do {
            config = try JSONDecoder().decode(BertConfig.self, from: data)
        } catch {
            throw ModelError(.format, "\(configPath) is not a BERT configuration: \(ErrorText.line(error))")
        }
        try config.validate(file: configPath)
        guard config.hiddenAct == "gelu" else {
            throw ModelError(
                .format, "\(configPath): activation \(config.hiddenAct) is not supported (only exact gelu)")
        }
        let file = try SafeTensors(path: directory + "/model.safetensors")
        return try BertModel(
            config: config, weights: try BertWeights(file, config: config), backend: backend, precision: precision)
    }

    /// Scratch memory for forward passes over batches of up to `capacity` tokens in all.
    public final class Workspace {
        let config: BertConfig
        private(set) var capacity = 0
        private(set) var hidden: UnsafeMutablePointer<Float>
        private(set) var qkv: UnsafeMutablePointer<Float>
        private(set) var context: UnsafeMutablePointer<Float>
        private(set) var projected: UnsafeMutablePointer<Float>
        private(set) var intermediate: UnsafeMutablePointer<Float>
        let scratch: [UnsafeMutablePointer<Float>]
        /// Input rows staged for low-precision projections.
        let staging = StagingBuffer()
        let maxSequence: Int

        /// Allocates buffers for sequences of up to `maxSequence` tokens, one attention scratch per worker.
        public init(config: BertConfig, maxSequence: Int, workers: Int = 1) {
            self.config = config
            self.maxSequence = maxSequence
            hidden = .allocate(capacity: 1)
            qkv = .allocate(capacity: 1)
            context = .allocate(capacity: 1)
            projected = .allocate(capacity: 1)
            intermediate = .allocate(capacity: 1)
            let size = NativeKernels.attentionScratch(tokens: maxSequence, headSize: config.headSize)
            scratch = (0..<max(1, workers)).map { _ in .allocate(capacity: size) }
            reserve(tokens: maxSequence)
        }

        deinit {
            for buffer in [hidden, qkv, context, projected, intermediate] + scratch { buffer.deallocate() }
        }

        /// Grows the buffers to hold `tokens` tokens.
        func reserve(tokens: Int) {
            guard tokens > capacity else { return }
            let h = config.hiddenSize
            for buffer in [hidden, qkv, context, projected, intermediate] { buffer.deallocate() }
            hidden = .allocate(capacity: tokens * h)
            qkv = .allocate(capacity: tokens * 3 * h)
            context = .allocate(capacity: tokens * h)
            projected = .allocate(capacity: tokens * h)
            intermediate = .allocate(capacity: tokens * config.intermediateSize)
            capacity = tokens
        }

        /// The final hidden states of the last forward pass, `[tokens, hidden]` for all its tokens.
        public func hiddenStates(tokens: Int) -> UnsafeBufferPointer<Float> {
            UnsafeBufferPointer(start: hidden, count: tokens * config.hiddenSize)
        }
    }

    /// What a forward pass of one sequence can record besides its output.
    public struct Trace: Sendable {
        /// The embedding output, then each layer's output, each `[tokens · hidden]`.
        public var hiddenStates: [[Float]] = []
        /// Each layer's attention probabilities, `[heads · tokens · tokens]`.
        public var attentions: [[Float]] = []

        /// An empty trace.
        public init() {}
    }

    private static let single = WorkerGang(count: 1)

    /// Runs the encoder over one sequence on the calling thread, recording its layers when `trace` is given.
    public func forward(_ ids: [Int32], workspace: Workspace, trace: UnsafeMutablePointer<Trace>? = nil) {
        forward([ids], workspace: workspace, gang: BertModel.single, trace: trace)
    }

    /// Runs the encoder over a batch of sequences packed back to back, leaving the final hidden states
    /// (sequence after sequence) in `workspace`.
    /// - Parameters:
    ///   - batch: Token ids per sequence, `[CLS]` … `[SEP]`, each at most `workspace.maxSequence` long.
    ///   - workspace: Scratch memory with one attention buffer per worker of `gang`.
    ///   - gang: The threads each step is split over.
    ///   - trace: Records every layer (only for a batch of one sequence).
    public func forward(
        _ batch: [[Int32]], workspace: Workspace, gang: WorkerGang, trace: UnsafeMutablePointer<Trace>? = nil
    ) {
        precondition(trace == nil || batch.count == 1, "a trace records one sequence")
        precondition(workspace.scratch.count >= gang.count, "the workspace needs one attention buffer per worker")
        var starts: [Int] = []
        var total = 0
        for ids in batch {
            precondition(
                !ids.isEmpty && ids.count <= workspace.maxSequence && ids.count <= config.maxPositionEmbeddings,
                "bad sequence length \(ids.count)")
            starts.append(total)
            total += ids.count
        }
        guard total > 0 else { return }
        workspace.reserve(tokens: total)
        let h = config.hiddenSize
        var tokenIDs: [Int32] = []
        var positions: [Int] = []
        tokenIDs.reserveCapacity(total)
        positions.reserveCapacity(total)
        for ids in batch {
            tokenIDs += ids
            positions += 0..<ids.count
        }
        let x = workspace.hidden
        gang.run { part in
            let rows = gang.share(of: total, part: part)
            for row in rows {
                let id = Int(tokenIDs[row])
                let token = id >= 0 && id < config.vocabSize ? id : 0
                let word = weights.wordEmbeddings.pointer + token * h
                let position = weights.positionEmbeddings.pointer + positions[row] * h
                let type = weights.tokenTypeEmbeddings.pointer
                let out = x + row * h
                for index in 0..<h { out[index] = word[index] + position[index] + type[index] }
            }
            NativeKernels.addLayerNorm(
                x + rows.lowerBound * h, residual: nil, rows: rows.count, width: h,
                gamma: weights.embeddingNormWeight.pointer, beta: weights.embeddingNormBias.pointer,
                epsilon: config.layerNormEps)
        }
        trace?.pointee.hiddenStates.append(Array(UnsafeBufferPointer(start: x, count: total * h)))
        let shares = BertModel.balancedShares(batch.map { $0.count * $0.count }, parts: gang.count)
        for (index, layer) in weights.layers.enumerated() {
            runLayer(
                index, layer, batch: batch, starts: starts, total: total, workspace: workspace, gang: gang,
                attentionShares: shares, trace: trace)
            trace?.pointee.hiddenStates.append(Array(UnsafeBufferPointer(start: x, count: total * h)))
        }
    }

    private func runLayer(
        _ index: Int, _ layer: BertWeights.Layer, batch: [[Int32]], starts: [Int], total: Int, workspace: Workspace,
        gang: WorkerGang, attentionShares: [Range<Int>], trace: UnsafeMutablePointer<Trace>?
    ) {
        let h = config.hiddenSize
        let inner = config.intermediateSize
        let linear = packed[index]
        let x = workspace.hidden
        let qkv = workspace.qkv
        let projected = workspace.projected
        let up = workspace.intermediate
        // Fused Q, K, V projection over every token: [total, 3H].
        project(linear.qkv, rows: total, input: x, inputStride: h, output: qkv, outputStride: 3 * h, gang, workspace)
        // Attention, sequence by sequence, split so each worker gets about the same Σ length².
        gang.run { part in
            for sequence in attentionShares[part] {
                attend(
                    start: starts[sequence], tokens: batch[sequence].count, workspace: workspace,
                    scratch: workspace.scratch[part], trace: trace)
            }
        }
        // Output projection, then residual + LayerNorm.
        project(
            linear.attention, rows: total, input: workspace.context, inputStride: h, output: projected,
            outputStride: h, gang, workspace)
        gang.run { part in
            let rows = gang.share(of: total, part: part)
            NativeKernels.addLayerNorm(
                projected + rows.lowerBound * h, residual: x + rows.lowerBound * h, rows: rows.count, width: h,
                gamma: layer.attentionNormWeight.pointer, beta: layer.attentionNormBias.pointer,
                epsilon: config.layerNormEps)
        }
        // Feed-forward: GELU fused into the up projection; the down projection writes back into `x`.
        project(
            linear.up, rows: total, input: projected, inputStride: h, output: up, outputStride: inner, gelu: true, gang,
            workspace)
        project(linear.down, rows: total, input: up, inputStride: inner, output: x, outputStride: h, gang, workspace)
        gang.run { part in
            let rows = gang.share(of: total, part: part)
            NativeKernels.addLayerNorm(
                x + rows.lowerBound * h, residual: projected + rows.lowerBound * h, rows: rows.count, width: h,
                gamma: layer.outputNormWeight.pointer, beta: layer.outputNormBias.pointer, epsilon: config.layerNormEps)
        }
    }

    /// One projection over every token, on the gang, staging low-precision rows in the workspace.
    private func project(
        _ linear: PackedLinear, rows: Int, input: UnsafeMutablePointer<Float>, inputStride: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int, gelu: Bool = false, _ gang: WorkerGang,
        _ workspace: Workspace
    ) {
        linear.apply(
            rows: rows, input: input, inputStride: inputStride, output: output, outputStride: outputStride,
            gelu: gelu, on: gang, staging: workspace.staging)
    }

    /// Contiguous ranges of `costs`' indices, one per part, with about equal total cost.
    static func balancedShares(_ costs: [Int], parts: Int) -> [Range<Int>] {
        let total = costs.reduce(0, +)
        var shares: [Range<Int>] = []
        var start = 0
        var running = 0
        for part in 0..<parts {
            var end = start
            let target = total * (part + 1) / parts
            while end < costs.count && (part == parts - 1 || running + costs[end] / 2 <= target) {
                running += costs[end]
                end += 1
            }
            shares.append(start..<end)
            start = end
        }
        return shares
    }

    /// Multi-head scaled dot-product attention of one sequence into `workspace.context`.
    private func attend(
        start: Int, tokens: Int, workspace: Workspace, scratch: UnsafeMutablePointer<Float>,
        trace: UnsafeMutablePointer<Trace>?
    ) {
        let h = config.hiddenSize
        let qkv = workspace.qkv + start * 3 * h
        let context = workspace.context + start * h
        guard trace != nil else {
            NativeKernels.attention(
                qkv: qkv, tokens: tokens, hidden: h, heads: config.numAttentionHeads, context: context,
                scratch: scratch, probabilities: nil)
            return
        }
        var probabilities = [Float](repeating: 0, count: config.numAttentionHeads * tokens * tokens)
        probabilities.withUnsafeMutableBufferPointer { buffer in
            NativeKernels.attention(
                qkv: qkv, tokens: tokens, hidden: h, heads: config.numAttentionHeads, context: context,
                scratch: scratch, probabilities: buffer.baseAddress)
        }
        trace?.pointee.attentions.append(probabilities)
    }
}
