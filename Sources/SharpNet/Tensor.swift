/// A dense float32 tensor in row-major order (activations are [channels, height, width],
/// weights follow ONNX/PyTorch layouts).
///
/// Invariant: `data.count == shape.reduce(1, *)`.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(
            shape.reduce(1, *) == data.count,
            "Tensor: shape \(shape) holds \(shape.reduce(1, *)) values, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    public var count: Int { data.count }

    // [C, H, W] accessors for activations.
    public var channels: Int { shape[0] }
    public var height: Int { shape[1] }
    public var width: Int { shape[2] }

    @inlinable
    public subscript(c: Int, y: Int, x: Int) -> Float {
        get { data[(c * shape[1] + y) * shape[2] + x] }
        set { data[(c * shape[1] + y) * shape[2] + x] = newValue }
    }

    /// Largest absolute difference to another tensor of the same shape.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "shapes differ: \(shape) vs \(other.shape)")
        var m: Float = 0
        for i in data.indices { m = max(m, abs(data[i] - other.data[i])) }
        return m
    }

    public var minimum: Float { data.min() ?? 0 }
    public var maximum: Float { data.max() ?? 0 }
}
