import SharpFrames
import SharpMedia
import TestSupport
import Testing

@Suite struct FrameFitTests {
    typealias R = FrameFit.Rect

    @Test func cropFillsTheOutputFromTheCentre() {
        // A 4:3 camera into 16:9: the middle 640x360 band of 640x480, nothing stretched.
        let p = FrameFit.crop.placement(sourceWidth: 640, sourceHeight: 480, width: 1280, height: 720)
        #expect(p.source == R(x: 0, y: 60, width: 640, height: 360))
        #expect(p.destination == R(x: 0, y: 0, width: 1280, height: 720))
        // A wider source loses its sides.
        let q = FrameFit.crop.placement(sourceWidth: 1920, sourceHeight: 800, width: 1280, height: 720)
        #expect(q.source == R(x: 248, y: 0, width: 1422, height: 800))
    }

    @Test func padKeepsTheWholePictureWithBars() {
        let p = FrameFit.pad.placement(sourceWidth: 640, sourceHeight: 480, width: 1280, height: 720)
        #expect(p.source == R(x: 0, y: 0, width: 640, height: 480))
        #expect(p.destination == R(x: 160, y: 0, width: 960, height: 720))
        let q = FrameFit.pad.placement(sourceWidth: 1920, sourceHeight: 800, width: 1280, height: 720)
        #expect(q.destination == R(x: 0, y: 92, width: 1280, height: 534))
    }

    @Test func equalAspectOrStretchUsesEverything() {
        for fit in FrameFit.allCases {
            let p = fit.placement(sourceWidth: 1920, sourceHeight: 1080, width: 1280, height: 720)
            #expect(p.source == R(x: 0, y: 0, width: 1920, height: 1080))
            #expect(p.destination == R(x: 0, y: 0, width: 1280, height: 720))
        }
        let s = FrameFit.stretch.placement(sourceWidth: 640, sourceHeight: 480, width: 1280, height: 720)
        #expect(s.source.height == 480 && s.destination.height == 720)
    }

    @Test(arguments: [(1, 1), (3, 1000), (1000, 3), (641, 479), (2, 2)])
    func extentsAreEvenAndInside(_ size: (Int, Int)) {
        for fit in FrameFit.allCases {
            for (dw, dh) in [(1280, 720), (2, 2), (640, 481)] {
                let p = fit.placement(sourceWidth: size.0, sourceHeight: size.1, width: dw, height: dh)
                for (r, w, h) in [(p.source, size.0, size.1), (p.destination, dw, dh)] {
                    #expect(r.x >= 0 && r.y >= 0 && r.x + r.width <= w && r.y + r.height <= h, "\(fit) \(p)")
                    #expect(r.x % 2 == 0 && r.y % 2 == 0, "\(fit) \(p)")
                    #expect(r.width == w || r.width % 2 == 0, "\(fit) \(p)")
                    #expect(r.height == h || r.height % 2 == 0, "\(fit) \(p)")
                }
            }
        }
    }

    /// 64x48 grey with white bands in the top and bottom 6 rows, into 64x36 (4:3 → 16:9).
    func resized(_ fit: FrameFit, _ pf: PixelFormat) throws -> Frame {
        let src = Frame(format: FrameFormat(pf, width: 64, height: 48)!)
        src.fillGrey(100)
        let white = Frame(format: src.format)
        white.fillGrey(235)
        for p in 0..<src.planes.count {
            let rows = src.planes[p].rows, band = rows / 8
            for y in Array(0..<band) + Array((rows - band)..<rows) {
                src.planes[p].row(y).update(from: white.planes[p].row(y), count: src.planes[p].rowBytes)
            }
        }
        let dst = Frame(format: FrameFormat(pf, width: 64, height: 36)!)
        try FrameResizer(from: src.format, to: dst.format, colorSpace: .bt601Limited, fit: fit).resize(src, into: dst)
        return dst
    }

    func luma(_ f: Frame, _ x: Int, _ y: Int) -> UInt8 {
        switch f.pixelFormat {
        case .yuyv: return f.planes[0].row(y)[x * 2]
        case .rgb24: return f.planes[0].row(y)[x * 3 + 1]
        default: return f.planes[0].row(y)[x]
        }
    }

    @Test(arguments: [PixelFormat.yuyv, .i420, .nv12, .rgb24])
    func cropCutsTheBandsPadAddsBarsStretchKeepsBoth(_ pf: PixelFormat) throws {
        let black: UInt8 = pf == .rgb24 ? 0 : 16
        let crop = try resized(.crop, pf)
        for y in [0, 17, 35] { #expect(abs(Int(luma(crop, 32, y)) - 100) <= 2, "crop row \(y)") }
        let stretch = try resized(.stretch, pf)
        #expect(luma(stretch, 32, 0) > 200 && luma(stretch, 32, 35) > 200)
        let pad = try resized(.pad, pf)
        // 48x36 picture centred: 8 black columns each side.
        for x in [0, 7, 56, 63] { #expect(luma(pad, x, 18) == black, "pad column \(x)") }
        #expect(luma(pad, 32, 0) > 200 && abs(Int(luma(pad, 32, 18)) - 100) <= 2)
    }
}
