import Foundation

extension Trainer {
    /// Trains for `options.epochs` epochs (resuming from the checkpoint when one exists), evaluating after
    /// each epoch and writing the best model to `options.outputDirectory`. Call on a dedicated thread.
    /// - Parameter progress: Called after every step and after every epoch's evaluation.
    /// - Returns: The best model's description.
    public func run(progress: (TrainingProgress) -> Void) throws(ModelError) -> ClassifierArtifact {
        var firstEpoch = 0
        var bestScore = -Double.infinity
        var best: ClassifierArtifact? = nil
        if let directory = options.checkpointDirectory, let state = try loadCheckpoint(directory) {
            firstEpoch = state.epoch
            bestScore = state.bestScore
            best = try? ClassifierArtifact.load(directory: options.outputDirectory)
            progress(
                TrainingProgress(
                    epoch: firstEpoch, epochs: options.epochs, step: 0, stepsPerEpoch: 0, loss: 0, learningRate: 0,
                    postsPerSecond: 0, secondsLeft: 0, message: "resumed after epoch \(firstEpoch) from \(directory)"))
        }
        let started = Date()
        var postsSeen = 0
        for epoch in firstEpoch..<options.epochs {
            let plan = batches(epoch: epoch)
            var runningLoss: Float = 0
            let epochStart = Date()
            for (index, batch) in plan.enumerated() {
                let loss = step(task: batch.task, examples: batch.examples)
                runningLoss = index == 0 ? loss : 0.98 * runningLoss + 0.02 * loss
                postsSeen += batch.examples.count
                if index % 5 == 0 || index == plan.count - 1 {
                    let rate = Double(postsSeen) / max(Date().timeIntervalSince(started), 1e-6)
                    let left =
                        Double(plan.count - index - 1 + (options.epochs - epoch - 1) * plan.count)
                        * Double(options.batchSize) / max(rate, 1e-6)
                    progress(
                        TrainingProgress(
                            epoch: epoch + 1, epochs: options.epochs, step: index + 1, stepsPerEpoch: plan.count,
                            loss: runningLoss, learningRate: optimizer.currentRate, postsPerSecond: rate,
                            secondsLeft: left, message: nil))
                }
            }
            let (artifact, score, summary) = try evaluate(
                epoch: epoch + 1, seconds: Date().timeIntervalSince(epochStart))
            if score > bestScore {
                bestScore = score
                best = artifact
                try save(artifact, to: options.outputDirectory)
            }
            if let directory = options.checkpointDirectory {
                try saveCheckpoint(directory, epoch: epoch + 1, bestScore: bestScore)
            }
            progress(
                TrainingProgress(
                    epoch: epoch + 1, epochs: options.epochs, step: plan.count, stepsPerEpoch: plan.count,
                    loss: runningLoss, learningRate: optimizer.currentRate, postsPerSecond: 0, secondsLeft: 0,
                    message: summary + (score >= bestScore ? " (best so far, saved)" : "")))
        }
        guard let best else { throw ModelError(.missing, "training ran no epoch") }
        return best
    }

    /// Scores the current weights on the validation sets; returns the artifact description, the selection
    /// score (sentiment macro-recall + topic macro-F1) and a one-line summary.
    func evaluate(epoch: Int, seconds: Double) throws(ModelError) -> (ClassifierArtifact, Double, String) {
        let classifier = currentClassifier(metrics: [:], epoch: epoch)
        var metrics: [String: Double] = [:]
        var score = 0.0
        var parts: [String] = []
        for (index, task) in tasks.enumerated() where !task.validation.isEmpty {
            let labels = task.head.spec.labels
            let truth = try Evaluator.truth(task.validation, labels: labels)
            var predicted: [Int] = []
            for start in stride(from: 0, to: task.validation.count, by: 64) {
                let texts = task.validation[start..<min(task.validation.count, start + 64)].map(\.text)
                let outputs = classifier.encoder.withWorkspace { workspace in
                    classifier.classify(batch: texts.map { tokenizer.encode($0) }, workspace: workspace)
                }
                predicted += outputs.map { Evaluator.argmax($0.probabilities[index]) }
            }
            let report = ClassificationReport(labels: labels, truth: truth, predicted: predicted)
            let name = task.head.spec.name
            metrics["\(name).accuracy"] = report.accuracy
            metrics["\(name).macro_recall"] = report.macroRecall
            metrics["\(name).macro_f1"] = report.macroF1
            if !task.isAuxiliary { score += name == "sentiment" ? report.macroRecall : report.macroF1 }
            parts.append(
                String(
                    format: "%@ acc %.3f macro-recall %.3f macro-F1 %.3f", name, report.accuracy, report.macroRecall,
                    report.macroF1))
        }
        var artifact = classifier.artifact
        artifact.heads = tasks.filter { !$0.isAuxiliary }.map(\.head.spec)
        artifact.metrics = metrics
        artifact.training["epoch_seconds.\(epoch)"] = String(format: "%.0f", seconds)
        return (artifact, score, "epoch \(epoch): " + parts.joined(separator: "; "))
    }

    /// A classifier over the current weights (LoRA merged), for evaluation.
    func currentClassifier(metrics: [String: Double], epoch: Int) -> TextClassifier {
        var training = [
            "epochs": String(options.epochs), "best_epoch": String(epoch), "batch_size": String(options.batchSize),
            "learning_rate": String(options.learningRate), "seed": String(options.seed),
            "class_weighting": options.classWeighting.rawValue, "topic_repeat": String(options.topicRepeat),
        ]
        if let limit = options.limit { training["limit"] = String(limit) }
        if !options.auxiliary.isEmpty {
            training["auxiliary"] = options.auxiliary.map(\.name).joined(separator: ",")
            training["auxiliary_weight"] = String(options.auxiliaryWeight)
            if let limit = options.auxiliaryLimit { training["auxiliary_limit"] = String(limit) }
        }
        if let distillation = options.distillation {
            training["teacher"] = distillation.teacher
            training["teacher_weight"] = String(distillation.teacherWeight)
            training["distill_temperature"] = String(distillation.temperature)
            training["unlabeled_posts"] = String(distillation.unlabeled.count)
            if let heads = distillation.unlabeledHeads {
                training["unlabeled_heads"] = heads.sorted().joined(separator: ",")
            }
        }
        var artifact = ClassifierArtifact(
            id: options.modelID, version: options.modelVersion, fineTuning: options.tuning,
            heads: tasks.map(\.head.spec),
            metrics: metrics, training: training, baseModel: options.baseModel)
        artifact.languages = ClassifierArtifact.defaultLanguages(baseModel: options.baseModel)
        let model = BertModel(config: base.config, weights: encoder.mergedWeights(), backend: base.backend)
        return TextClassifier(
            artifact: artifact, model: model, tokenizer: tokenizer, heads: tasks.map(\.head), threads: 2)
    }

    /// Writes the model folder: `weights.safetensors` (trained tensors) and `vox-model.json`.
    func save(_ artifact: ClassifierArtifact, to directory: String) throws(ModelError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ModelError(.io, "cannot create \(directory): \(error.localizedDescription)")
        }
        try SafeTensorsWriter.write(
            savedParameters.map { ($0.name, $0.value) }, metadata: ["format": "vox"],
            to: directory + "/weights.safetensors")
        try artifact.save(directory: directory)
    }

    private struct CheckpointState: Codable {
        var epoch: Int
        var step: Int
        var bestScore: Double
        var seed: UInt64
        /// SHA-256 of the trained parameters' names and shapes (absent in older checkpoints): a run with another
        /// encoder, LoRA rank or heads has other parameters and must not resume from it.
        var layout: String?
    }

    /// ``CheckpointState/layout`` of this run.
    private var layout: String {
        var hash = SHA256()
        let text = parameters.map { "\($0.name):\($0.value.shape.map(String.init).joined(separator: "x"))" }
            .joined(separator: ";")
        Array(text.utf8).withUnsafeBytes { hash.update($0) }
        return hash.hexDigest()
    }

    /// Saves parameters, AdamW moments and progress, atomically.
    func saveCheckpoint(_ directory: String, epoch: Int, bestScore: Double) throws(ModelError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ModelError(.io, "cannot create \(directory): \(error.localizedDescription)")
        }
        var tensors: [(String, Tensor)] = []
        for parameter in parameters {
            tensors += [
                (parameter.name, parameter.value), (parameter.name + "#m", parameter.firstMoment),
                (parameter.name + "#v", parameter.secondMoment),
            ]
        }
        try SafeTensorsWriter.write(tensors, to: directory + "/checkpoint.safetensors")
        let state = CheckpointState(
            epoch: epoch, step: optimizer.step, bestScore: bestScore, seed: options.seed, layout: layout)
        do {
            try JSONEncoder().encode(state).write(to: URL(fileURLWithPath: directory + "/state.json"), options: .atomic)
        } catch {
            throw ModelError(.io, "cannot write \(directory)/state.json: \(error.localizedDescription)")
        }
    }

    /// Restores a checkpoint, if there is one; returns its state.
    private func loadCheckpoint(_ directory: String) throws(ModelError) -> CheckpointState? {
        guard let data = FileManager.default.contents(atPath: directory + "/state.json") else { return nil }
        guard let state = try? JSONDecoder().decode(CheckpointState.self, from: data), state.seed == options.seed else {
            throw ModelError(
                .format, "\(directory)/state.json is not a checkpoint of this run (different seed or format)")
        }
        guard state.layout == nil || state.layout == layout else {
            throw ModelError(
                .mismatch,
                "\(directory) holds the checkpoint of a run that trains other parameters (another encoder, LoRA "
                    + "rank or heads): use another --checkpoint folder, or remove it to start afresh")
        }
        let file = try SafeTensors(path: directory + "/checkpoint.safetensors")
        for parameter in parameters {
            for (suffix, tensor) in [
                ("", parameter.value), ("#m", parameter.firstMoment), ("#v", parameter.secondMoment),
            ] {
                let values = try file.floats(parameter.name + suffix, shape: tensor.shape)
                for index in values.indices { tensor.pointer[index] = values[index] }
            }
        }
        optimizer.resume(at: state.step)
        return state
    }
}
