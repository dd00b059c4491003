import Foundation
import SharpNet

/// Hand-edited weights files (valid container, checksum recomputed) for the loader's tests.
public enum WeightsFileTestBytes {
    /// A valid file of a small student.
    public static func valid() -> [UInt8] {
        try! WeightsFile.encode(Weights.heInitialized(.student(widths: [8]), seed: 1))
    }

    /// `valid()` with its header JSON rewritten by `edit` (tensor table as JSON objects), the
    /// tensor data kept and the checksum made right again.
    public static func editingHeader(_ edit: (inout [String: Any]) -> Void) -> [UInt8] {
        let bytes = valid()
        let headerLength = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
        let dataStart = (16 + headerLength + 15) / 16 * 16
        var header = try! JSONSerialization.jsonObject(with: Data(bytes[16..<(16 + headerLength)])) as! [String: Any]
        edit(&header)
        let json = [UInt8](try! JSONSerialization.data(withJSONObject: header))
        var out = Array(bytes[0..<12])
        out += withUnsafeBytes(of: UInt32(json.count).littleEndian, Array.init)
        out += json
        while out.count % 16 != 0 { out.append(0) }
        out += bytes[dataStart..<(bytes.count - 8)]
        out += withUnsafeBytes(of: CRC32.checksum(out).littleEndian, Array.init)
        out += WeightsFile.endMarker
        return out
    }

    /// The first tensor's shape multiplies past Int.max.
    public static func overflowingShape() -> [UInt8] {
        editingHeader { h in
            var tensors = h["tensors"] as! [[String: Any]]
            tensors[0]["shape"] = [Int.max / 2, 3, 3, 3]
            h["tensors"] = tensors
        }
    }

    /// The first tensor's offset and length add past Int.max.
    public static func overflowingOffset() -> [UInt8] {
        editingHeader { h in
            var tensors = h["tensors"] as! [[String: Any]]
            tensors[0]["offset"] = Int.max - 8
            h["tensors"] = tensors
        }
    }

    /// Metadata edited (e.g. absurd int8 activation scales).
    public static func withMetadata(_ key: String, _ value: String, weights: Weights) -> [UInt8] {
        var w = weights
        w.metadata[key] = value
        return try! WeightsFile.encode(w)
    }
}
