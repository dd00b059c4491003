import SharpFrames
import SharpPipeline
import SharpSupport
import Testing

@Suite struct ControlRequestTests {
    func parse(_ s: String) throws(ControlProtocolError) -> ControlRequest { try ControlRequest.parse(Array(s.utf8)) }

    @Test func acceptsTheRequestsItLists() throws {
        #expect(try parse("status") == .status)
        #expect(try parse("  status \r") == .status)
        #expect(try parse("snapshot") == .snapshot)
        #expect(try parse("web") == .web)
        #expect(try parse("set strength 0.5") == .set(key: "strength", value: "0.5"))
        #expect(try parse("SET Mode\tclassic") == .set(key: "mode", value: "classic"))
    }

    @Test(arguments: [
        ("", "empty request"), ("stat", "unknown request 'stat'"), ("set", "wrong number of arguments"),
        ("set strength", "wrong number of arguments"), ("status now", "wrong number of arguments"),
        ("set threads 2", "cannot set 'threads' while running"), ("set strength 1 2", "wrong number"),
        ("status\u{7}", "control character"), ("web now", "wrong number of arguments"),
    ])
    func refusesAnythingElseWithAMessage(_ input: String, _ message: String) {
        do {
            _ = try parse(input)
            Issue.record("accepted \(input)")
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test func refusesBytesThatAreNotTextAndHugeLines() {
        #expect(throws: ControlProtocolError("request is not UTF-8 text")) {
            try ControlRequest.parse([0x73, 0xFF, 0xFE])
        }
        #expect(throws: ControlProtocolError("request longer than 4096 bytes")) {
            try ControlRequest.parse([UInt8](repeating: 0x61, count: 5000))
        }
        let long = String(repeating: "x", count: 300)
        do { _ = try parse(long) } catch { #expect(error.description.count < 200) }
    }

    /// Random bytes and mutations of valid requests: every one is parsed or refused, none traps.
    @Test func randomBytesNeverTrap() {
        var rng = SplitMix64(seed: 7)
        let seeds = ["status", "set strength 0.5", "set mode nn", "snapshot", "web"].map { Array($0.utf8) }
        var accepted = 0
        for i in 0..<20000 {
            var bytes = seeds[i % seeds.count]
            for _ in 0..<Int(rng.next() % 4) {
                let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0 where !bytes.isEmpty: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                default: if !bytes.isEmpty { bytes.remove(at: at) }
                }
            }
            if (try? ControlRequest.parse(bytes)) != nil { accepted += 1 }
        }
        #expect(accepted > 1000 && accepted < 20000)
    }

    @Test func repliesAreFramedAndErrorsAreOneLine() {
        #expect(ControlReply.ok(Array("hi".utf8)).encoded == Array("ok 2\nhi".utf8))
        #expect(ControlReply.error("bad\nthing").encoded == Array("error bad thing\n".utf8))
    }

    @Test(arguments: PixelFormat.allCases)
    func framesRoundTrip(_ pf: PixelFormat) throws {
        let f = Frame(format: FrameFormat(pf, width: 7, height: 5)!, colorSpace: .bt709Full)
        for p in f.planes { for y in 0..<p.rows { for x in 0..<p.rowBytes { p.row(y)[x] = UInt8((x * 7 + y) & 255) } } }
        let back = try ControlFrame.decode(ControlFrame.encode(f))
        #expect(back.format == f.format && back.colorSpace == .bt709Full)
        for (a, b) in zip(f.planes, back.planes) {
            for y in 0..<a.rows {
                #expect(
                    Array(UnsafeBufferPointer(start: a.row(y), count: a.rowBytes))
                        == Array(UnsafeBufferPointer(start: b.row(y), count: b.rowBytes)))
            }
        }
        var bytes = ControlFrame.encode(f)
        bytes.removeLast()
        #expect(throws: ControlProtocolError.self) { try ControlFrame.decode(bytes) }
        #expect(throws: ControlProtocolError.self) {
            try ControlFrame.decode(Array("SHARPCAM-FRAME yuyv 99999 2 bt601 limited\n".utf8))
        }
        #expect(throws: ControlProtocolError.self) { try ControlFrame.decode([1, 2, 3]) }
    }
}
