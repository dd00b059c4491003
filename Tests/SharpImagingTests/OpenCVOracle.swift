import Foundation
import SharpFrames
import TestSupport

/// Runs Tests/Oracles/opencv_maps.py on a photo (cropped to even size) and holds its outputs.
struct OpenCVOracle {
    let width: Int
    let height: Int
    let rgb: Frame
    let yuv: [PixelFormat: Frame]
    let directory: TemporaryDirectory

    init(photo name: String, maxSide: Int = 1024) throws {
        let full = try TestFrames.load(try TestEnvironment.photo(name), as: .rgb24)
        // Even size (OpenCV's YUV layouts need it), capped so the Python side stays quick.
        let w = min(full.width, maxSide) & ~1, h = min(full.height, maxSide) & ~1
        rgb = Frame(format: FrameFormat(.rgb24, width: w, height: h)!, colorSpace: .bt601Limited)
        for y in 0..<h { rgb.planes[0].row(y).update(from: full.planes[0].row(y), count: 3 * w) }
        width = w
        height = h
        directory = TemporaryDirectory("oracle")
        try TestFrames.writeRaw(rgb, to: directory.file("rgb.raw"))
        var yuv: [PixelFormat: Frame] = [:]
        for pf in [PixelFormat.i420, .nv12, .yuyv] {
            let f = Frame(format: rgb.format.with(pf), colorSpace: .bt601Limited)
            rgb.convert(into: f)
            try TestFrames.writeRaw(f, to: directory.file("\(pf.rawValue).raw"))
            yuv[pf] = f
        }
        self.yuv = yuv
        try ProcessRunner.check(
            TestEnvironment.python, [TestEnvironment.oracle("opencv_maps.py"), directory.path, "\(w)", "\(h)"])
    }

    func output(_ name: String) throws -> [UInt8] { try TestFrames.readRaw(directory.file("\(name).raw")) }
}

/// Differences between two images: the largest, and how many pixels differ at all.
struct Difference: CustomStringConvertible {
    var maximum = 0
    var count = 0
    init(_ a: [UInt8], _ b: [UInt8]) {
        precondition(a.count == b.count, "sizes differ: \(a.count) vs \(b.count)")
        for i in a.indices {
            let d = abs(Int(a[i]) - Int(b[i]))
            if d > 0 { count += 1; maximum = max(maximum, d) }
        }
    }
    var description: String { "max |diff| \(maximum) over \(count) pixels" }
}
