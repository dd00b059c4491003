import SharpFrames
import SharpImaging
import TestSupport
import Testing

/// The seed's maps against OpenCV itself (opencv-python-headless) on real photos.
@Suite(.serialized) struct MapsOracleTests {
    static let photos = ["skimage_astronaut", "skimage_coffee", "lomiri16_fig", "lomiri16_bridge"]

    /// Tolerances: grey, HSV masks and BT.601 YUV → RGB are integer arithmetic reproduced
    /// exactly (0). Edge maps may differ by 1 where float32 and float64 round differently
    /// just below an integer before truncation (±1, as the issue allows).
    @Test(arguments: photos)
    func mapsMatchOpenCV(_ photo: String) throws {
        let oracle = try OpenCVOracle(photo: photo)
        let w = oracle.width, h = oracle.height
        let grey = GrayImage(width: w, height: h)
        grey.loadGrey(from: oracle.rgb)
        let sobelKernel = SobelEdgeMap(width: w, height: h)
        let edge = GrayImage(width: w, height: h), mask = GrayImage(width: w, height: h)
        let sobel = SobelEdgeMap(width: w, height: h)
        let sat = SaturationMask()

        // RGB input.
        #expect(Difference(grey.pixels, try oracle.output("grey")).maximum == 0)
        sobel.compute(oracle.rgb, into: edge)
        let e = Difference(edge.pixels, try oracle.output("edge_rgb"))
        #expect(e.maximum <= 1, "edge (RGB) \(e)")
        sat.compute(oracle.rgb, into: mask)
        #expect(Difference(mask.pixels, try oracle.output("mask_rgb")).maximum == 0, "mask (RGB)")

        // YUV inputs, without an RGB frame: mask from in-register conversion, edge from Y.
        for (pf, frame) in oracle.yuv {
            sat.compute(frame, into: mask)
            let m = Difference(mask.pixels, try oracle.output("mask_\(pf.rawValue)"))
            #expect(m.maximum == 0, "mask (\(pf)) \(m)")
            sobelKernel.compute(frame, into: edge)
            let d = Difference(edge.pixels, try oracle.output("edge_\(pf.rawValue)"))
            #expect(d.maximum <= 1, "edge (\(pf)) \(d)")
            let rgb = Frame(format: frame.format.with(.rgb24))
            frame.convert(into: rgb)
            #expect(
                Difference(TestFrames.bytes(rgb), try oracle.output("rgb_\(pf.rawValue)")).maximum == 0,
                "YUV→RGB (\(pf))")
        }
    }

    /// Our float Gaussian (rounded to nearest) against OpenCV's 8-bit fixed-point one.
    @Test func gaussianBlurMatchesOpenCVWithinOne() throws {
        let oracle = try OpenCVOracle(photo: "skimage_chelsea")
        let grey = GrayImage(width: oracle.width, height: oracle.height)
        grey.loadGrey(from: oracle.rgb)
        let frame = Frame(format: FrameFormat(.i420, width: oracle.width, height: oracle.height)!)
        for y in 0..<oracle.height { frame.planes[0].row(y).update(from: grey.row(y), count: oracle.width) }
        let blur = GaussianBlur(kernel: GaussianKernel(sigma: 1.5), maxWidth: oracle.width, maxHeight: oracle.height)
        blur.blur(frame.planes[0], width: oracle.width, step: 1, offset: 0)
        let ours = TestFrames.bytes(frame).prefix(oracle.width * oracle.height)
        let d = Difference(Array(ours), try oracle.output("blur15"))
        #expect(d.maximum <= 1, "\(d)")
    }
}
