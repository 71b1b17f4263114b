import Foundation

/// The fine-tuned classifier that ships with Vox (sentiment and topic heads on all-MiniLM-L6-v2, LoRA),
/// used whenever `--model` is not given. Its card is `Models/default/MODEL_CARD.md`.
public enum DefaultModel {
    /// The folder holding `vox-model.json` and `weights.safetensors`.
    public static var directory: String? {
        Bundle.module.url(forResource: "default", withExtension: nil)?.path
    }
}
