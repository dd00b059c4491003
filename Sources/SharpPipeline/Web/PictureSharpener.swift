import Foundation
import SharpFrames
import SharpImaging
import SharpMedia
import SharpSupport

/// Sharpens uploaded pictures (the web console's "pictures" panel) and scores them against an
/// optional sharp reference: PSNR and SSIM of the input and of the result, on BT.601 luma.
///
/// Invariant: only PNG and JPEG bytes are decoded (checked by their signature, whatever the
/// client claims), at most `maxBytes` and `maxPixels`; the upload is decoded from a private
/// temporary file that is removed before `sharpen` returns; results are kept in memory for the
/// last `capacity` pictures only and are addressed by id, never by a path.
public final class PictureSharpener: @unchecked Sendable {
    public static let maxBytes = 16 << 20
    public static let maxPixels = 16_000_000
    public static let capacity = 4

    /// A sharpened picture.
    public struct Picture: Sendable {
        public let id: Int
        public let width: Int, height: Int
        public let processor: String
        /// The result as a PNG file.
        public let png: [UInt8]
        let inputLuma: [UInt8], outputLuma: [UInt8]
    }

    /// Scores against a sharp reference (higher is closer).
    public struct Scores: Sendable, Codable, Equatable {
        public var psnrInput, psnrResult, ssimInput, ssimResult: Double
    }

    private let lock = ConditionLock()
    private var pictures: [Picture] = []
    private var nextID = 1

    public init() {}

    /// Decodes `bytes` (named `name` in errors), sharpens it with `settings` and keeps it.
    public func sharpen(_ bytes: [UInt8], name: String, settings: ProcessingSettings) throws(PictureError) -> Picture {
        let frame = try Self.decode(bytes, name: name)
        let processor: FrameProcessor
        do { processor = try settings.makeProcessor() } catch { throw PictureError("\(error)") }
        let output = Frame(format: frame.format, colorSpace: frame.colorSpace)
        processor.process(frame, into: output)
        let png: [UInt8]
        do { png = try ImageWriter.encode(output, as: .png, name: name) } catch { throw PictureError("\(error)") }
        return lock.withLock {
            let p = Picture(
                id: nextID, width: frame.width, height: frame.height, processor: processor.name, png: png,
                inputLuma: Self.luma(frame), outputLuma: Self.luma(output))
            nextID += 1
            pictures.append(p)
            if pictures.count > Self.capacity { pictures.removeFirst(pictures.count - Self.capacity) }
            return p
        }
    }

    public func picture(_ id: Int) -> Picture? { lock.withLock { pictures.first { $0.id == id } } }

    /// PSNR and SSIM of picture `id`'s input and result against `reference` (same size).
    public func score(_ id: Int, reference bytes: [UInt8], name: String) throws(PictureError) -> Scores {
        guard let p = picture(id) else {
            throw PictureError("no picture \(id) (only the last \(Self.capacity) are kept)")
        }
        let reference = try Self.decode(bytes, name: name)
        guard reference.width == p.width && reference.height == p.height else {
            throw PictureError(
                "\(name): the reference is \(reference.width)x\(reference.height), the picture \(p.width)x\(p.height)")
        }
        guard p.width >= 11 && p.height >= 11 else { throw PictureError("\(name): SSIM needs at least 11x11 pixels") }
        let r = Self.luma(reference)
        func psnr(_ a: [UInt8]) -> Double {
            a.withUnsafeBufferPointer { x in r.withUnsafeBufferPointer { y in PSNR.decibels(x, y) } }
        }
        return Scores(
            psnrInput: psnr(p.inputLuma), psnrResult: psnr(p.outputLuma),
            ssimInput: StructuralSimilarity.index(p.inputLuma, r, width: p.width, height: p.height),
            ssimResult: StructuralSimilarity.index(p.outputLuma, r, width: p.width, height: p.height))
    }

    /// What kind of picture `bytes` is, from its signature: "png", "jpg" or nil.
    public static func kind(of bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "jpg" }
        return nil
    }

    /// One still picture from PNG or JPEG bytes.
    static func decode(_ bytes: [UInt8], name: String) throws(PictureError) -> Frame {
        guard !bytes.isEmpty else { throw PictureError("\(name): empty upload") }
        guard bytes.count <= maxBytes else {
            throw PictureError("\(name): \(bytes.count) bytes, more than the \(maxBytes >> 20) MiB allowed")
        }
        guard let ext = kind(of: bytes) else { throw PictureError("\(name): not a PNG or JPEG picture") }
        var template = Array("\(NSTemporaryDirectory())/sharpcam-picture.XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template) else { throw PictureError("cannot create a temporary folder") }
        let folder = String(cString: dir)
        let path = folder + "/upload." + ext
        defer {
            unlink(path)
            rmdir(folder)
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw PictureError("cannot write a temporary file for \(name)")
        }
        do {
            let source = try MediaFiles.openSource(path, input: InputPolicy(errorPolicy: .strict, maxPixels: maxPixels))
            guard source.info.isStillImage else { throw PictureError("\(name): not a still picture") }
            let frame = Frame(format: source.info.format, colorSpace: source.info.colorSpace)
            guard try source.read(into: frame) else { throw PictureError("\(name): no picture in the file") }
            return frame
        } catch let e as PictureError {
            throw e
        } catch let e as MediaError {
            throw PictureError("\(name): \(e.problem)")
        } catch {
            throw PictureError("\(name): \(error)")
        }
    }

    /// BT.601 full-range luma, 8 bits: RGB weighted 0.299/0.587/0.114 and rounded (as the
    /// scikit-image oracle computes it); YUV's Y plane as is (`GrayImage.loadGrey`).
    static func luma(_ f: Frame) -> [UInt8] {
        guard f.pixelFormat == .rgb24 else {
            let g = GrayImage(width: f.width, height: f.height)
            g.loadGrey(from: f)
            return g.pixels
        }
        var out = [UInt8](repeating: 0, count: f.width * f.height)
        for y in 0..<f.height {
            let row = f.planes[0].row(y)
            for x in 0..<f.width {
                let r = Double(row[3 * x]), g = Double(row[3 * x + 1]), b = Double(row[3 * x + 2])
                out[y * f.width + x] = UInt8((0.299 * r + 0.587 * g + 0.114 * b).rounded())
            }
        }
        return out
    }
}

/// Why an uploaded picture cannot be sharpened or scored; `description` is one line.
public struct PictureError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
