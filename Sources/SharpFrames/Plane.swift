/// One plane of a frame: `rows` rows of `rowBytes` meaningful bytes, `bytesPerRow` apart.
///
/// Invariant: `bytesPerRow >= rowBytes` and the memory belongs to a `Frame` that outlives
/// every use of the plane. Planes are handed to kernels as raw pointers on purpose: hot
/// loops must not pay for array exclusivity checks.
public struct Plane: @unchecked Sendable {
    public let base: UnsafeMutablePointer<UInt8>
    public let bytesPerRow: Int
    public let rowBytes: Int
    public let rows: Int

    @inlinable @inline(__always)
    public func row(_ y: Int) -> UnsafeMutablePointer<UInt8> { base + y * bytesPerRow }

    /// Copies the meaningful bytes of every row from `other` (same extents).
    public func copy(from other: Plane) {
        precondition(other.rowBytes == rowBytes && other.rows == rows, "plane extents differ")
        if other.bytesPerRow == bytesPerRow {
            base.update(from: other.base, count: bytesPerRow * (rows - 1) + rowBytes)
        } else {
            for y in 0..<rows { row(y).update(from: other.row(y), count: rowBytes) }
        }
    }

    /// Sets every meaningful byte to `value`.
    public func fill(_ value: UInt8) {
        for y in 0..<rows { row(y).update(repeating: value, count: rowBytes) }
    }
}
