/// A trainable tensor: its value, its gradient, and the AdamW moments.
public final class Parameter: @unchecked Sendable {
    // @unchecked: a parameter is owned by one trainer; gradients are accumulated and applied on its thread.

    /// The checkpoint name (e.g. `encoder.layer.0.qkv.lora_a`).
    public let name: String
    /// The value (may be shared with the model's weights).
    public let value: Tensor
    /// The gradient of the current batch.
    public let gradient: Tensor
    /// AdamW's first moment.
    let firstMoment: Tensor
    /// AdamW's second moment.
    let secondMoment: Tensor
    /// Whether weight decay applies (matrices yes; biases, LayerNorm and adapters' B no).
    public let decays: Bool

    /// Wraps `value` for training.
    public init(name: String, value: Tensor, decays: Bool) {
        self.name = name
        self.value = value
        self.decays = decays
        gradient = Tensor(zeros: value.shape)
        firstMoment = Tensor(zeros: value.shape)
        secondMoment = Tensor(zeros: value.shape)
    }

    /// Clears the gradient.
    public func zeroGradient() {
        gradient.pointer.update(repeating: 0, count: gradient.count)
    }
}
