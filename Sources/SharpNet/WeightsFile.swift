import Foundation

/// SharpCam's weights file (`.scw`): a small, documented binary container for one network.
///
///     offset  size  field
///     0       8     magic "SCWEIGHT"
///     8       4     format version (uint32 LE), currently 1
///     12      4     header length H (uint32 LE)
///     16      H     header, UTF-8 JSON: {"architecture": ArchitectureSpec, "metadata": {String: String},
///                   "tensors": [{"name", "dtype": "f32"|"f16", "shape": [Int], "offset", "length",
///                   "role": "state" (optional: training state such as optimizer moments,
///                   ignored when the file is used as a model)}]}
///     …             zero padding to a multiple of 16
///     D       …     tensor data, little endian, each at D + offset (16-byte aligned)
///     end−8   4     CRC-32 (IEEE 802.3) of every byte before it (uint32 LE)
///     end−4   4     end marker "SCWE"
///
/// Loading checks, in order: size, magic, version, trailer (truncation), checksum, header
/// JSON, architecture, tensor table (names, dtypes, shapes, ranges), values (finite), and that
/// the tensors are exactly the architecture's parameters; any failure is a `WeightsFileError`
/// naming the file and the problem.
public enum WeightsFile {
    public static let magic = Array("SCWEIGHT".utf8)
    public static let endMarker = Array("SCWE".utf8)
    public static let version: UInt32 = 1

    public enum DataType: String, Codable, Sendable { case f32, f16 }

    struct TensorEntry: Codable {
        var name: String
        var dtype: DataType
        var shape: [Int]
        var offset: Int
        var length: Int
        var role: String?
    }

    struct Header: Codable {
        var architecture: ArchitectureSpec
        var metadata: [String: String]
        var tensors: [TensorEntry]
    }

    // MARK: Writing

    /// Serialises `weights` (fp32, or fp16 storage) and optional training `state` tensors
    /// (always fp32, so a resumed run continues exactly).
    public static func encode(
        _ weights: Weights, dataType: DataType = .f32, state: [String: Tensor] = [:]
    ) throws -> [UInt8] {
        var entries: [TensorEntry] = []
        var data: [UInt8] = []
        let items =
            weights.tensors.keys.sorted().map { ($0, weights.tensors[$0]!, false) }
            + state.keys.sorted().map { ($0, state[$0]!, true) }
        for (name, t, isState) in items {
            let dataType = isState ? .f32 : dataType
            while data.count % 16 != 0 { data.append(0) }
            let start = data.count
            switch dataType {
            case .f32: for v in t.data { appendLE(&data, v.bitPattern) }
            case .f16: for v in t.data { appendLE16(&data, Float16(v).bitPattern) }
            }
            entries.append(
                TensorEntry(
                    name: name, dtype: dataType, shape: t.shape, offset: start, length: data.count - start,
                    role: isState ? "state" : nil))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let header = [UInt8](
            try encoder.encode(Header(architecture: weights.spec, metadata: weights.metadata, tensors: entries)))
        var out = magic
        appendLE(&out, version)
        appendLE(&out, UInt32(header.count))
        out += header
        while out.count % 16 != 0 { out.append(0) }
        out += data
        appendLE(&out, CRC32.checksum(out))
        out += endMarker
        return out
    }

    /// Writes atomically (temporary file + rename).
    public static func write(
        _ weights: Weights, to path: String, dataType: DataType = .f32, state: [String: Tensor] = [:]
    ) throws {
        let bytes = try encode(weights, dataType: dataType, state: state)
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw WeightsFileError(.unwritable, path: path, "output directory \(dir.path) does not exist")
        }
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw WeightsFileError(.unwritable, path: path, "cannot write: \(error.localizedDescription)")
        }
    }

    // MARK: Reading

    /// Reads and validates a weights file. With `expecting`, a file holding another kind of
    /// network is refused.
    public static func load(_ path: String, expecting kind: ArchitectureKind? = nil) throws -> Weights {
        try loadWithState(path, expecting: kind).weights
    }

    /// The model and any training state tensors (a checkpoint).
    public static func loadWithState(
        _ path: String, expecting kind: ArchitectureKind? = nil
    ) throws -> (weights: Weights, state: [String: Tensor]) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw WeightsFileError(.notFound, path: path, "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WeightsFileError(.unreadable, path: path, "cannot read the file (permissions?)")
        }
        return try decodeWithState([UInt8](data), path: path, expecting: kind)
    }

    public static func decode(_ bytes: [UInt8], path: String, expecting kind: ArchitectureKind? = nil) throws -> Weights
    {
        try decodeWithState(bytes, path: path, expecting: kind).weights
    }

    public static func decodeWithState(
        _ bytes: [UInt8], path: String, expecting kind: ArchitectureKind? = nil
    ) throws -> (weights: Weights, state: [String: Tensor]) {
        func fail(_ k: WeightsFileError.Kind, _ problem: String) -> WeightsFileError {
            WeightsFileError(k, path: path, problem)
        }
        guard bytes.count >= 8, Array(bytes[0..<8]) == magic else {
            throw fail(
                .notWeights,
                bytes.isEmpty
                    ? "empty file, not a SharpCam weights file" : "not a SharpCam weights file (no SCWEIGHT signature)")
        }
        guard bytes.count >= 24 else { throw fail(.truncated, "truncated: \(bytes.count) bytes") }
        let version = readLE32(bytes, 8)
        guard version == Self.version else {
            throw fail(
                .unsupportedVersion,
                "format version \(version) is not supported (this build reads version \(Self.version))")
        }
        guard Array(bytes[(bytes.count - 4)...]) == endMarker else {
            throw fail(.truncated, "truncated: the end marker is missing (file cut short?)")
        }
        let stored = readLE32(bytes, bytes.count - 8)
        let computed = CRC32.checksum(bytes[0..<(bytes.count - 8)])
        guard stored == computed else {
            throw fail(
                .corrupt, "checksum mismatch (stored \(hex(stored)), computed \(hex(computed))): the file is damaged")
        }
        let headerLength = Int(readLE32(bytes, 12))
        guard 16 + headerLength <= bytes.count - 8 else {
            throw fail(.corrupt, "header length \(headerLength) exceeds the file")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[16..<(16 + headerLength)]))
        } catch {
            throw fail(.corrupt, "unreadable header: \(error)")
        }
        if let problem = header.architecture.validationError {
            throw fail(.wrongArchitecture, "invalid architecture: \(problem)")
        }
        if let kind, header.architecture.kind != kind {
            throw fail(
                .wrongArchitecture, "holds a \(header.architecture.kind.rawValue) network, expected \(kind.rawValue)")
        }
        let dataStart = (16 + headerLength + 15) / 16 * 16
        let dataEnd = bytes.count - 8
        var tensors: [String: Tensor] = [:], state: [String: Tensor] = [:]
        for e in header.tensors {
            // Every size is checked with overflow detection: the header is untrusted input.
            let elementSize = e.dtype == .f32 ? 4 : 2
            var count = 1, overflow = e.shape.isEmpty || e.shape.count > 8
            for d in e.shape where !overflow {
                let (product, o) = count.multipliedReportingOverflow(by: d)
                overflow = o || d <= 0
                count = product
            }
            let (byteLength, o1) = count.multipliedReportingOverflow(by: elementSize)
            let (start, o2) = dataStart.addingReportingOverflow(e.offset)
            let (end, o3) = start.addingReportingOverflow(e.length)
            guard !overflow, !o1, !o2, !o3, e.length == byteLength, e.offset >= 0, end <= dataEnd else {
                throw fail(
                    .corrupt,
                    "tensor '\(e.name)' has an inconsistent entry (shape \(e.shape), \(e.length) bytes at \(e.offset))")
            }
            guard tensors[e.name] == nil && state[e.name] == nil else {
                throw fail(.corrupt, "tensor '\(e.name)' appears twice")
            }
            var values = [Float](repeating: 0, count: count)
            let base = dataStart + e.offset
            for i in 0..<count {
                values[i] =
                    e.dtype == .f32
                    ? Float(bitPattern: readLE32(bytes, base + 4 * i))
                    : Float(Float16(bitPattern: UInt16(bytes[base + 2 * i]) | UInt16(bytes[base + 2 * i + 1]) << 8))
            }
            if e.role == "state" {
                state[e.name] = Tensor(shape: e.shape, data: values)
            } else {
                tensors[e.name] = Tensor(shape: e.shape, data: values)
            }
        }
        let weights = Weights(spec: header.architecture, tensors: tensors, metadata: header.metadata)
        if let problem = weights.mismatch(for: NetworkGraph(header.architecture)) {
            throw fail(.wrongArchitecture, "does not match its architecture (\(header.architecture)): \(problem)")
        }
        return (weights, state)
    }

    // MARK: Little-endian helpers

    static func appendLE(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
    }
    static func appendLE16(_ out: inout [UInt8], _ v: UInt16) { out += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func readLE32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    static func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
}

/// A weights file that cannot be used, naming the file and the problem.
public struct WeightsFileError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        case notFound, unreadable, notWeights, truncated, unsupportedVersion, corrupt, wrongArchitecture, unwritable
    }
    public let kind: Kind
    public let path: String
    public let problem: String

    public init(_ kind: Kind, path: String, _ problem: String) {
        self.kind = kind
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as zlib's `crc32`.
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
