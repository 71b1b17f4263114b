import Foundation
import Testing

@testable import VoxModel

/// Bad model files are clear errors that name the file and field, never a trap or silent nonsense.
@Suite struct ModelValidationTests {
    private static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "vox-model-validation-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test(arguments: [
        ("num_attention_heads", 7, "does not divide hidden_size"), ("num_attention_heads", 0, "does not divide"),
        ("num_hidden_layers", -1, "num_hidden_layers is -1"), ("hidden_size", 0, "hidden_size is 0"),
        ("vocab_size", -5, "vocab_size is -5"), ("intermediate_size", 0, "intermediate_size is 0"),
        ("max_position_embeddings", 0, "max_position_embeddings is 0"),
    ])
    func configurationNumbersAreChecked(field: String, value: Int, message: String) throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config: [String: Any] = [
            "hidden_size": 384, "num_hidden_layers": 6, "num_attention_heads": 12, "intermediate_size": 1536,
            "vocab_size": 30522, "max_position_embeddings": 512, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
            "hidden_act": "gelu",
        ]
        config[field] = value
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: directory + "/config.json"))
        let error = #expect(throws: ModelError.self) { try BertModel.load(directory: directory) }
        #expect(error?.message.contains(directory + "/config.json: ") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test func nonFiniteWeightsAreRefusedAtLoad() throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/weights.safetensors"
        for bad in [Float.nan, .infinity, -.infinity] {
            try SafeTensorsWriter.write(
                [("good", Tensor([1, 2], shape: [2])), ("head.weight", Tensor([0.5, bad, 1], shape: [3]))], to: path)
            let file = try SafeTensors(path: path)
            #expect(try file.floats("good", shape: [2]) == [1, 2])
            let error = #expect(throws: ModelError.self) { try file.floats("head.weight", shape: [3]) }
            #expect(error?.message.contains("\(path): tensor head.weight holds a non-finite value") == true)
            #expect(error?.message.contains("at element 1") == true)
        }
    }

    @Test func artifactFieldsAreChecked() throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let good = ClassifierArtifact(
            id: "m", version: "1", fineTuning: FineTuning(),
            heads: [HeadSpec(name: "sentiment", labels: HeadSpec.sentimentLabels)])
        try good.save(directory: directory)
        #expect(try ClassifierArtifact.load(directory: directory) == good)
        let original = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: directory + "/vox-model.json")))
                as? [String: Any])
        func broken(_ change: (inout [String: Any]) -> Void) throws -> String? {
            var object = original
            change(&object)
            try JSONSerialization.data(withJSONObject: object).write(
                to: URL(fileURLWithPath: directory + "/vox-model.json"))
            let error = #expect(throws: ModelError.self) { try ClassifierArtifact.load(directory: directory) }
            return error?.message
        }
        func head(_ labels: [String], name: String = "sentiment") -> [String: Any] {
            ["name": name, "labels": labels, "pooling": "mean", "kind": "softmax"]
        }
        #expect(
            try broken { object in
                var tuning = object["fine_tuning"] as? [String: Any] ?? [:]
                tuning["lora_rank"] = -2
                object["fine_tuning"] = tuning
            }?.contains("lora_rank is -2") == true)
        #expect(try broken { $0["heads"] = [head(["a", "b", "a"])] }?.contains("repeated label") == true)
        #expect(try broken { $0["heads"] = [head(["a", "b"]), head(["c", "d"])] }?.contains("share a name") == true)
        #expect(try broken { $0["heads"] = [] as [Any] }?.contains("no heads") == true)
        #expect(try broken { $0["heads"] = [head(["only"])] }?.contains("has 1 labels") == true)
        // A field of the wrong type or a missing one is named in one line, not a decoder's dump.
        let wrongType = try broken { object in
            var tuning = object["fine_tuning"] as? [String: Any] ?? [:]
            tuning["lora_rank"] = "eight"
            object["fine_tuning"] = tuning
        }
        #expect(wrongType?.contains("fine_tuning.lora_rank is not an Int") == true, "\(wrongType ?? "")")
        #expect(wrongType?.contains("\n") == false && wrongType?.contains("CodingKeys") == false)
        let missing = try broken { $0.removeValue(forKey: "heads") }
        #expect(missing?.contains("the field heads is missing") == true, "\(missing ?? "")")
    }
}
