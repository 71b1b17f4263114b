import Foundation

/// Where training stands, for progress bars.
public struct TrainingProgress: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var step: Int
    public var stepsPerEpoch: Int
    /// Running mean of the recent batch losses.
    public var loss: Float
    public var learningRate: Float
    public var postsPerSecond: Double
    public var secondsLeft: Double
    /// A finished epoch's validation summary, when one just finished.
    public var message: String?
}

/// Fine-tunes the encoder and the sentiment and topic heads (multi-task: the two tasks' batches are
/// interleaved at random, so one encoder serves both), with AdamW, warmup and decay, gradient clipping,
/// dropout, length-bucketed shuffled batches, a fixed seed, a checkpoint per epoch and resumption, and
/// the best epoch chosen on validation.
public final class Trainer: @unchecked Sendable {
    // @unchecked: a trainer runs on one thread; `run` is not reentrant.
    struct Task {
        let head: TrainableHead
        let ids: [[Int32]]
        let targets: [[Float]]
        let classWeights: [Float]?
        let validation: [LabeledText]
        /// An auxiliary task's head: trained and scored, never saved nor counted in the epoch's score.
        var isAuxiliary: Bool { head.spec.name.hasPrefix(AuxiliaryTask.headPrefix) }
    }

    let base: BertModel
    let tokenizer: any TextTokenizer
    let options: TrainingOptions
    let encoder: TrainableEncoder
    let tasks: [Task]
    var optimizer: AdamW
    var generator: SeededGenerator

    /// Prepares training: reads and tokenizes the data, builds the trainable encoder and heads.
    /// - Throws: `ModelError` for unreadable data or labels outside the heads' label sets.
    public init(base: BertModel, tokenizer: any TextTokenizer, options: TrainingOptions) throws(ModelError) {
        self.base = base
        self.tokenizer = tokenizer
        self.options = options
        generator = SeededGenerator(seed: options.seed)
        // With LoRA, the frozen projections run on Vox's kernels over two gang threads and OpenBLAS (adapters,
        // attention's backward) stays single-threaded so its idle threads do not spin against them; in full
        // fine-tuning every product is OpenBLAS's, on both cores.
        OpenBLASBackend.setThreads(options.tuning.loraRank == 0 ? 2 : 1)
        encoder = try TrainableEncoder(
            model: base, tuning: options.tuning, seed: options.seed &+ 1, backend: OpenBLASBackend(),
            precision: options.precision)
        var tasks: [Task] = []
        if let train = options.sentimentTrain {
            let spec = HeadSpec(name: "sentiment", labels: HeadSpec.sentimentLabels, pooling: options.sentimentPooling)
            tasks.append(
                try Trainer.task(
                    spec, rows: LabeledText.load(joining: train, limit: options.limit), train: train,
                    validation: options.sentimentValidation, options: options, tokenizer: tokenizer,
                    hidden: base.config.hiddenSize, generator: &generator))
        }
        if let train = options.topicTrain {
            let spec = HeadSpec(
                name: "topic", labels: HeadSpec.topicLabels, pooling: options.topicPooling,
                kind: options.topicMultiLabel ? .sigmoid : .softmax)
            tasks.append(
                try Trainer.task(
                    spec, rows: LabeledText.load(joining: train, limit: options.limit), train: train,
                    validation: options.topicValidation, options: options, tokenizer: tokenizer,
                    hidden: base.config.hiddenSize, generator: &generator))
        }
        guard !tasks.isEmpty else {
            throw ModelError(.missing, "no training data: give sentiment or topic training files")
        }
        for auxiliary in options.auxiliary {
            guard !tasks.contains(where: { $0.head.spec.name == auxiliary.headName }) else {
                throw ModelError(.format, "auxiliary task '\(auxiliary.name)' is given twice")
            }
            let limits = [options.limit, options.auxiliaryLimit].compactMap { $0 }
            let rows = try LabeledText.load(joining: auxiliary.train, limit: limits.min())
            tasks.append(
                try Trainer.task(
                    auxiliary.spec(rows: rows, pooling: options.sentimentPooling), rows: rows, train: auxiliary.train,
                    validation: auxiliary.validation, options: options, tokenizer: tokenizer,
                    hidden: base.config.hiddenSize, generator: &generator))
        }
        self.tasks = tasks
        let steps = tasks.enumerated().reduce(0) { total, entry in
            let repeats = entry.element.head.spec.name == "topic" ? options.topicRepeat : 1
            return total + repeats * (entry.element.ids.count + options.batchSize - 1) / options.batchSize
        }
        optimizer = AdamW(
            learningRate: options.learningRate,
            warmupSteps: Int(Float(steps * options.epochs) * options.warmupFraction),
            totalSteps: steps * options.epochs)
        optimizer.weightDecay = options.weightDecay
        optimizer.clipNorm = options.clipNorm
    }

    private static func task(
        _ spec: HeadSpec, rows: [LabeledText], train: String, validation: String?, options: TrainingOptions,
        tokenizer: any TextTokenizer, hidden: Int, generator: inout SeededGenerator
    ) throws(ModelError) -> Task {
        var targets: [[Float]] = []
        var counts = [Int](repeating: 0, count: spec.labels.count)
        for row in rows {
            var target = [Float](repeating: 0, count: spec.labels.count)
            for label in row.labels {
                guard let index = spec.labels.firstIndex(of: label) else {
                    throw ModelError(
                        .format, "\(train): label '\(label)' is not one of \(spec.labels.joined(separator: ", "))")
                }
                target[index] = 1
                counts[index] += 1
            }
            let distilled = spec.kind == .softmax ? options.distillation : nil
            targets.append(distilled?.target(head: spec.name, text: row.text, hard: target) ?? target)
        }
        var weights: [Float]? = nil
        if spec.kind == .softmax && options.classWeighting != .none {
            let total = Float(rows.count)
            weights = counts.map { count in
                let balanced = total / (Float(spec.labels.count) * Float(max(count, 1)))
                return options.classWeighting == .sqrt ? balanced.squareRoot() : balanced
            }
        }
        let head = TrainableHead(spec: spec, hidden: hidden, dropout: options.tuning.dropout, generator: &generator)
        let validationRows = try validation.map { path throws(ModelError) in try LabeledText.load(path) } ?? []
        var texts = rows.map(\.text)
        if spec.kind == .softmax, let distillation = options.distillation {
            // Unlabelled posts learn the teacher alone; class weights stay those of the labelled data.
            var extra = distillation.unlabeledTargets(head: spec.name)
            if let limit = options.limit { extra = Array(extra.prefix(limit)) }
            texts += extra.map(\.text)
            targets += extra.map(\.target)
        }
        return Task(
            head: head, ids: texts.map { tokenizer.encode($0) }, targets: targets, classWeights: weights,
            validation: validationRows)
    }

    /// Every trainable parameter: the encoder's, then each head's.
    var parameters: [Parameter] { encoder.parameters + tasks.flatMap(\.head.parameters) }

    /// The parameters of the saved model: the encoder's and the product heads' (auxiliary heads left out).
    var savedParameters: [Parameter] {
        encoder.parameters + tasks.filter { !$0.isAuxiliary }.flatMap(\.head.parameters)
    }

    /// Length-bucketed, shuffled batches of one epoch: (task index, example indices).
    func batches(epoch: Int) -> [(task: Int, examples: [Int])] {
        var shuffle = SeededGenerator(seed: options.seed &+ UInt64(epoch) &* 7919)
        var all: [(Int, [Int])] = []
        for (taskIndex, task) in tasks.enumerated() {
            let repeats = task.head.spec.name == "topic" ? max(1, options.topicRepeat) : 1
            for _ in 0..<repeats {
                let order = task.ids.indices.map {
                    ($0, task.ids[$0].count, UInt64.random(in: 0...UInt64.max, using: &shuffle))
                }
                .sorted { ($0.1, $0.2) < ($1.1, $1.2) }.map(\.0)
                for start in stride(from: 0, to: order.count, by: options.batchSize) {
                    all.append((taskIndex, Array(order[start..<min(order.count, start + options.batchSize)])))
                }
            }
        }
        all.shuffle(using: &shuffle)
        return all
    }

    /// One optimisation step on a batch; returns its loss.
    func step(task taskIndex: Int, examples: [Int]) -> Float {
        let task = tasks[taskIndex]
        let active = encoder.parameters + task.head.parameters
        for parameter in active { parameter.zeroGradient() }
        let saved = encoder.forward(examples.map { task.ids[$0] }, dropout: true, generator: &generator)
        let result = task.head.loss(
            saved, targets: examples.map { task.targets[$0] }, classWeights: task.classWeights, training: true,
            generator: &generator)
        if task.isAuxiliary && options.auxiliaryWeight != 1 {
            let gradient = result.gradient.pointer
            for index in 0..<result.gradient.count { gradient[index] *= options.auxiliaryWeight }
        }
        encoder.backward(saved, gradient: result.gradient)
        optimizer.update(active)
        return result.loss
    }
}
