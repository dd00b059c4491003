import Foundation
import SharpPipeline
import TestSupport
import Testing

/// `sharpcamd doctor` against fake /proc, /sys, /lib/modules and /etc trees.
@Suite struct DoctorTests {
    final class Root {
        let dir = TemporaryDirectory("doctor")
        init(release: String = "6.1.0-28-amd64") throws {
            try put("proc/sys/kernel/osrelease", release + "\n")
            try put("etc/group", "root:x:0:\nvideo:x:44:alice,bob\n")
        }
        func put(_ path: String, _ text: String) throws { try put(path, Data(text.utf8)) }
        func put(_ path: String, _ data: Data) throws {
            let full = dir.file(path)
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: full))
        }
        func doctor(user: String = "alice", env: [String: String] = [:]) -> Doctor {
            var d = Doctor(root: dir.path, environment: env)
            d.user = user
            d.processGroups = [1000]
            d.systemctl = { _ in nil }
            return d
        }
        func check(_ title: String, _ d: Doctor? = nil) -> Doctor.Check? {
            (d ?? doctor()).run().first { $0.title.hasPrefix(title) }
        }
    }

    @Test func aWorkingSetUpIsAllOK() throws {
        let r = try Root()
        try r.put("sys/module/v4l2loopback/version", "0.12.7\n")
        try r.put("sys/module/v4l2loopback/parameters/exclusive_caps", "Y,N,N,N,N,N,N,N\n")
        try r.put("sys/class/video4linux/video10/name", "SharpCam\n")
        try r.put("sys/class/video4linux/video0/name", "Integrated Camera: Integrated C\n")
        let checks = r.doctor().run()
        for title in ["v4l2loopback", "output /dev/video10", "group video", "cameras"] {
            #expect(checks.first { $0.title == title }?.level == .ok, "\(title): \(checks)")
        }
        #expect(r.check("v4l2loopback")!.detail == "loaded 0.12.7")
        #expect(r.check("cameras")!.detail.contains("/dev/video0 \"Integrated Camera"))
        #expect(!checks.contains { $0.level == .problem })
    }

    @Test func secureBootWithAnUnsignedModuleSaysHowToEnrolTheKey() throws {
        let r = try Root()
        try r.put("lib/modules/6.1.0-28-amd64/updates/dkms/v4l2loopback.ko", "ELF…no signature")
        try r.put("sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e0a919d2d5f5", Data([6, 0, 0, 0, 1]))
        let c = r.check("v4l2loopback")!
        #expect(c.level == .problem && c.detail.contains("Secure Boot is on") && c.hint.contains("mokutil --import"))
        #expect(r.check("Secure Boot")!.detail.hasPrefix("on"))
        // Signed, or Secure Boot off: only "not loaded", with the modprobe line.
        try r.put("lib/modules/6.1.0-28-amd64/updates/dkms/v4l2loopback.ko", "ELF…~Module signature appended~\n")
        #expect(r.check("v4l2loopback")!.hint.hasPrefix("sudo modprobe v4l2loopback"))
        try r.put("sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e0a919d2d5f5", Data([6, 0, 0, 0, 0]))
        #expect(r.check("Secure Boot")!.detail == "off")
    }

    @Test func missingModuleNoCameraAndWrongOptions() throws {
        let r = try Root()
        let c = r.check("v4l2loopback")!
        #expect(c.level == .problem && c.hint.contains("v4l2loopback-dkms linux-headers-6.1.0-28-amd64"))
        #expect(r.check("cameras")!.level == .warning)
        try r.put("sys/module/v4l2loopback/parameters/exclusive_caps", "N,N\n")
        try r.put("sys/class/video4linux/video10/name", "Dummy video device (0x0000)\n")
        let out = r.check("output /dev/video10")!
        #expect(out.level == .warning && out.detail.contains("Chrome and Meet will not list it"))
    }

    @Test func groupMembership() throws {
        let r = try Root()
        #expect(r.check("group video", r.doctor(user: "bob"))!.level == .ok)
        let carol = r.check("group video", r.doctor(user: "carol"))!
        #expect(carol.level == .warning && carol.hint == "sudo usermod -aG video carol, then log out and in again")
        var d = r.doctor(user: "carol")
        d.processGroups = [44]
        #expect(r.check("group video", d)!.level == .ok)
    }

    @Test func serviceAndPipeWireAndDaemon() throws {
        let r = try Root()
        // Isolated from daemons other tests run (they may use the default sockets).
        var d = r.doctor(env: ["XDG_RUNTIME_DIR": r.dir.file("run"), "SHARPCAM_CONTROL": r.dir.file("run/control")])
        d.systemctl = { args in args.first == "--user" ? "active" : "inactive" }
        let checks = d.run()
        #expect(checks.first { $0.title == "service" }!.detail == "user service active, system service inactive")
        #expect(checks.first { $0.title == "PipeWire" }!.detail.hasPrefix("not running"))
        #expect(checks.first { $0.title == "daemon" }!.detail.hasPrefix("not running"))
    }
}
