/// A contiguous block of `Float`s with a shape, owned by this object and freed with it.
///
/// Weights are read by several inference threads at once and written only while nothing reads them
/// (loading, or a training step that owns the model), which is what makes the unchecked `Sendable` safe.
public final class Tensor: @unchecked Sendable {
    /// The values.
    public let pointer: UnsafeMutablePointer<Float>
    /// Dimensions.
    public let shape: [Int]
    /// Number of values.
    public let count: Int

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.shape = shape
        count = shape.reduce(1, *)
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// A tensor holding `values`.
    public convenience init(_ values: [Float], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        self.init(zeros: shape)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: count) }
        }
    }

    deinit { pointer.deallocate() }

    /// The values as an array.
    public var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// A read-only view.
    public var buffer: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: pointer, count: count) }
}
