import Foundation
import VoxAssets

/// The fine-tuned classifiers that ship with Vox, chosen by name with `--model`: `fast` (sentiment and topic
/// heads on all-MiniLM-L6-v2, the default) and `multilingual` (the same heads on multilingual-e5-small, for
/// English and the UMSAB languages). Their cards are `Models/<folder>/MODEL_CARD.md`.
public enum BundledModel: String, CaseIterable, Sendable {
    case fast
    case multilingual

    /// The model used when `--model` is not given.
    public static let standard = BundledModel.fast

    /// The resource folder holding `vox-model.json` and `weights.safetensors`.
    var folder: String {
        switch self {
        case .fast: "default"
        case .multilingual: "multilingual"
        }
    }

    /// A folder holding the model's files (compiled into the binary, written out once: ``EmbeddedAssets``), or nil
    /// when this build does not carry the model or no folder could be written.
    public var directory: String? { EmbeddedAssets.directory(folder) }
}
