import Foundation

extension TextClassifier {
    /// The pooled encoder features a head sees, per text, computed off the cooperative pool in batches of 64.
    /// Nil when the model has no head of that name.
    public func features(_ texts: [String], head name: String) async -> [[Float]]? {
        guard let index = heads.firstIndex(where: { $0.spec.name == name }) else { return nil }
        let h = encoder.model.config.hiddenSize
        return await mapPooled(texts, head: index, fallback: [Float](repeating: 0, count: h)) { vector in
            Array(UnsafeBufferPointer(start: vector, count: h))
        }
    }

    /// A softmax head's weights with its temperature folded in (so its logits give the probabilities `classify`
    /// reports), for adaptation; nil when there is no such softmax head.
    public func head(named name: String) -> HeadAdapter.Head? {
        guard let head = heads.first(where: { $0.spec.name == name && $0.spec.kind == .softmax }) else { return nil }
        return HeadAdapter.Head(
            weight: (0..<head.weight.count).map { Double(head.weight.pointer[$0]) },
            bias: (0..<head.bias.count).map { Double(head.bias.pointer[$0]) }
        ).scaled(by: head.spec.effectiveTemperature)
    }

    /// Writes a copy of the model folder `source` to `output` with head `name` replaced and `artifact` as its
    /// description (the base encoder still comes from `vox model pull`).
    /// - Throws: `ModelError` when the source weights cannot be read, lack the head, or the copy cannot be written.
    public static func writeAdapted(
        source: String, output: String, artifact: ClassifierArtifact, head name: String, weights head: HeadAdapter.Head
    ) throws(ModelError) {
        let file = try SafeTensors(path: source + "/weights.safetensors")
        var tensors: [(name: String, tensor: Tensor)] = []
        let replaced = ["heads.\(name).weight": head.weight, "heads.\(name).bias": head.bias]
        for (tensorName, info) in file.tensors.sorted(by: { $0.key < $1.key }) {
            let tensor = Tensor(zeros: info.shape)
            if let values = replaced[tensorName] {
                guard values.count == tensor.count else {
                    throw ModelError(
                        .format, "\(tensorName) in \(source) has \(tensor.count) values, expected \(values.count)")
                }
                for index in values.indices { tensor.pointer[index] = Float(values[index]) }
            } else {
                let values = try file.floats(tensorName, shape: info.shape)
                for index in values.indices { tensor.pointer[index] = values[index] }
            }
            tensors.append((tensorName, tensor))
        }
        guard replaced.keys.allSatisfy({ file.tensors[$0] != nil }) else {
            throw ModelError(.missing, "\(source)/weights.safetensors has no head named \(name)")
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw ModelError(.io, "cannot create \(output): \(error.localizedDescription)")
        }
        try SafeTensorsWriter.write(tensors, metadata: ["format": "vox"], to: output + "/weights.safetensors")
        try artifact.save(directory: output)
    }
}
