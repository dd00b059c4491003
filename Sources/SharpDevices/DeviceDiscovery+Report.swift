extension DeviceDiscovery {
    /// What `sharpcamd --list-devices` prints: cameras, loopback devices, others and the ones
    /// that cannot be opened, each with its formats; or how to get a loopback device when none
    /// exists.
    public static func report(_ all: [Entry] = DeviceDiscovery.list()) -> String {
        if all.isEmpty {
            return "no video devices (/dev/video*): no camera is connected and v4l2loopback is not loaded "
                + "(sudo modprobe v4l2loopback video_nr=10 card_label=SharpCam exclusive_caps=1)\n"
        }
        let groups: [(String, [Entry])] = [
            ("Cameras", all.filter { $0.problem == nil && $0.isCapture && !$0.isLoopback }),
            ("Loopback devices (SharpCam output)", all.filter { $0.problem == nil && $0.isLoopback }),
            ("Other", all.filter { $0.problem == nil && !$0.isLoopback && !$0.isCapture }),
            ("Unavailable", all.filter { $0.problem != nil }),
        ]
        var text = ""
        for (title, entries) in groups where !entries.isEmpty {
            text += "\(title):\n"
            for e in entries {
                if let p = e.problem {
                    text += "  \(e.path): \(p)\n"
                    continue
                }
                text += "  \(e.path)  \"\(e.card)\" (\(e.driver))\n"
                for f in e.formats { text += "      \(f)\n" }
            }
        }
        return text
    }
}
