import SharpDevices
import Testing

@Suite struct CapturePlanTests {
    let fourcc = { (s: String) in CapturePlan.fourcc(s)! }
    let webcam: [(width: Int, height: Int)] = [(640, 480), (1280, 720), (1920, 1080), (320, 240)]

    func plan(_ formats: [String], preferred: String? = nil, _ w: Int = 1280, _ h: Int = 720) throws -> CapturePlan {
        try CapturePlan.choose(
            offered: formats.map { (fourcc($0), webcam) }, preferred: preferred.map(fourcc), width: w, height: h)
    }

    @Test func yuyvAndMJPEGAreReadDirectly() throws {
        #expect(try plan(["YUYV", "MJPG"]).decoding == .mjpeg)  // 720p: MJPEG (USB 2 bandwidth)
        #expect(try plan(["YUYV", "MJPG"], 640, 480).decoding == .copy)
        #expect(try plan(["MJPG"], 640, 480).decoding == .mjpeg)
        #expect(try plan(["YUYV"]).fourcc == fourcc("YUYV"))
    }

    @Test func otherFormatsGoThroughLibv4lconvert() throws {
        let p = try plan(["BA81", "UYVY"])
        #expect(p.fourcc == fourcc("UYVY") && p.decoding == .convert)
        #expect(try plan(["BA81"]).fourcc == fourcc("BA81"))
        #expect(try plan(["YUYV", "NV12"], preferred: "NV12").decoding == .convert)
        #expect(throws: CapturePlan.PlanError.self) { try plan(["YUYV"], preferred: "NV12") }
        #expect(throws: CapturePlan.PlanError.self) {
            try CapturePlan.choose(offered: [], preferred: nil, width: 2, height: 2)
        }
    }

    /// A 4:3 request on a camera without that size, or 16:9 with only larger 16:9 modes: the
    /// mode with the output's aspect ratio, so nothing has to be cropped or stretched.
    @Test func prefersTheOutputsAspectRatio() throws {
        let p = try CapturePlan.choose(
            offered: [(fourcc("YUYV"), [(640, 480), (1920, 1080), (1280, 960)])], preferred: nil, width: 1280,
            height: 720)
        #expect(p.width == 1920 && p.height == 1080)
        let q = try CapturePlan.choose(
            offered: [(fourcc("YUYV"), [(640, 480), (960, 540)])], preferred: nil, width: 1280, height: 720)
        #expect(q.width == 960 && q.height == 540)  // the largest 16:9 one
        let r = try CapturePlan.choose(
            offered: [(fourcc("YUYV"), [(640, 480), (800, 600)])], preferred: nil, width: 1280, height: 720)
        #expect(r.width == 1280 && r.height == 720)  // none: the driver picks the nearest
    }

    @Test func fourccText() {
        #expect(CapturePlan.fourcc("YUYV") == 0x5659_5559)
        #expect(V4L2Device.fourccString(0x5659_5559) == "YUYV")
        #expect(CapturePlan.fourcc("YUY") == nil && CapturePlan.fourcc("YU\u{1}V") == nil)
    }
}
