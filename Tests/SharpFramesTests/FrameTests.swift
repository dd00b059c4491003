import SharpFrames
import Testing

@Suite struct FrameTests {
    @Test(arguments: PixelFormat.allCases)
    func planesAreAlignedAndSizedForOddGeometry(_ pf: PixelFormat) throws {
        let f = Frame(format: try #require(FrameFormat(pf, width: 321, height: 241)))
        #expect(f.planes.count == pf.planeCount)
        let cw = 161, ch = 121
        let expected: [(Int, Int)] =
            switch pf {
            case .yuyv: [(cw * 4, 241)]
            case .i420: [(321, 241), (cw, ch), (cw, ch)]
            case .nv12: [(321, 241), (cw * 2, ch)]
            case .rgb24: [(963, 241)]
            }
        for (p, e) in zip(f.planes, expected) {
            #expect(p.rowBytes == e.0 && p.rows == e.1)
            #expect(p.bytesPerRow % 64 == 0 && p.bytesPerRow >= p.rowBytes)
            #expect(Int(bitPattern: p.base) % 64 == 0)
        }
    }

    @Test func zeroOrNegativeSizesAreRejected() {
        #expect(FrameFormat(.i420, width: 0, height: 10) == nil)
        #expect(FrameFormat(.i420, width: 10, height: -1) == nil)
        #expect(FrameFormat(.i420, width: 16385, height: 10) == nil)
        #expect(FrameFormat(.i420, width: 1, height: 1) != nil)
    }

    @Test func copyCopiesPixelsAndMetadata() throws {
        let fmt = try #require(FrameFormat(.nv12, width: 33, height: 17))
        let a = Frame(format: fmt, colorSpace: .bt709Full)
        var v: UInt8 = 0
        for p in a.planes { for y in 0..<p.rows { for x in 0..<p.rowBytes { p.row(y)[x] = v; v &+= 7 } } }
        a.timestamp = 123; a.sequence = 9
        let b = Frame(format: fmt)
        b.copy(from: a)
        for (pa, pb) in zip(a.planes, b.planes) {
            for y in 0..<pa.rows { for x in 0..<pa.rowBytes { #expect(pa.row(y)[x] == pb.row(y)[x]) } }
        }
        #expect(b.colorSpace == .bt709Full && b.timestamp == 123 && b.sequence == 9)
    }

    @Test func rationalReducesAndKeepsSign() {
        #expect(Rational(30000, 1001).description == "30000/1001")
        #expect(Rational(60, 2) == Rational(30, 1))
        #expect(Rational(3, -6) == Rational(-1, 2))
    }
}
