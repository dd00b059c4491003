import Testing

@testable import SharpDevices

@Suite struct DeviceDiscoveryTests {
    static func entry(
        _ path: String, _ card: String, capture: Bool = true, loopback: Bool = false
    ) -> DeviceDiscovery.Entry {
        .init(
            path: path, card: card, driver: "uvcvideo", isCapture: capture, isLoopback: loopback, formats: [],
            problem: nil)
    }

    /// Card names with dots are cameras, matched exactly, then by case-insensitive prefix;
    /// loopback devices and non-capture nodes never match.
    @Test func camerasAreMatchedByCardName() {
        let entries = [
            Self.entry("/dev/video10", "SharpCam", loopback: true),
            Self.entry("/dev/video0", "USB2.0 HD UVC WebCam: USB2.0 HD"),
            Self.entry("/dev/video1", "USB2.0 HD UVC WebCam: USB2.0 IR", capture: false),
            Self.entry("/dev/video2", "Integrated Camera"),
        ]
        #expect(DeviceDiscovery.match("USB2.0 HD UVC WebCam: USB2.0 HD", in: entries)?.path == "/dev/video0")
        #expect(DeviceDiscovery.match("usb2.0 hd uvc", in: entries)?.path == "/dev/video0")
        #expect(DeviceDiscovery.match("integrated", in: entries)?.path == "/dev/video2")
        #expect(DeviceDiscovery.match("SharpCam", in: entries) == nil)
        #expect(DeviceDiscovery.match("Camera", in: entries) == nil)
    }
}
