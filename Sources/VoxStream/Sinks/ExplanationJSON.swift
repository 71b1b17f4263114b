import VoxFeeds
import VoxModel

/// How explanations are written: `[{"text": "word", "weight": 0.1234}, …]`, in the post's word order, weights
/// rounded to four decimals (`vox classify --explain`, `examples.jsonl`).
public enum ExplanationJSON {
    /// The JSON array of an explanation's words.
    public static func words(_ explanation: Explainer.Explanation) -> String {
        "["
            + explanation.words.map { word in
                JSONText.object([
                    ("text", JSONText.quote(word.text)), ("weight", WindowRecord.decimal(Double(word.weight))),
                ])
            }.joined(separator: ",") + "]"
    }
}
