import Foundation
import SharpDevices
import SharpMedia

/// `sharpcamd doctor`: checks what a working SharpCam needs and says what to do about each
/// problem, one line per check.
///
/// Everything is read below `root` (`/`, or a fake tree from `$SHARPCAM_SYSROOT` in tests):
/// `proc/sys/kernel/osrelease`, `lib/modules/RELEASE`, `sys/module/v4l2loopback`,
/// `sys/class/video4linux`, `sys/firmware/efi/efivars`, `etc/group`.
///
/// Invariant: `run()` never throws and never traps on a missing or odd file: each check reports.
public struct Doctor {
    public enum Level: String, Sendable, Comparable {
        case ok, info, warning, problem
        var rank: Int { ["ok": 0, "info": 1, "warning": 2, "problem": 3][rawValue]! }
        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
        var tag: String { ["ok": "[ ok ]", "info": "[info]", "warning": "[warn]", "problem": "[FAIL]"][rawValue]! }
    }

    public struct Check: Sendable, CustomStringConvertible {
        public var level: Level
        public var title: String
        public var detail: String
        /// What to do (empty when nothing).
        public var hint: String
        public var description: String {
            "\(level.tag) \(title): \(detail)" + (hint.isEmpty ? "" : "\n       → \(hint)")
        }
    }

    public var root: String
    public var environment: [String: String]
    /// The output device the daemon would feed.
    public var output: String
    /// The user the checks are for.
    public var user: String
    /// Groups the current process has (gids).
    public var processGroups: [UInt32]
    /// Runs `systemctl ARGS`, returning its first output line (nil: not available).
    public var systemctl: ([String]) -> String?

    public init(
        root: String = "/", environment: [String: String] = ProcessInfo.processInfo.environment,
        output: String = "/dev/video10"
    ) {
        self.root = root.hasSuffix("/") ? root : root + "/"
        self.environment = environment
        self.output = output
        user = environment["USER"] ?? getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "?"
        let n = getgroups(0, nil)
        var groups = [gid_t](repeating: 0, count: Int(max(n, 0)))
        if n > 0 { _ = getgroups(n, &groups) }
        processGroups = groups + [getegid()]
        systemctl = Doctor.runSystemctl
    }

    func path(_ p: String) -> String { root + p }
    func read(_ p: String) -> String? {
        (try? String(contentsOfFile: path(p), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    func exists(_ p: String) -> Bool { FileManager.default.fileExists(atPath: path(p)) }

    public func run() -> [Check] {
        var checks = loopbackChecks()
        checks.append(groupCheck())
        checks.append(cameraCheck())
        checks.append(pipeWireCheck())
        checks.append(serviceCheck())
        checks.append(controlCheck())
        return checks
    }

    // MARK: v4l2loopback

    /// Whether Secure Boot is on (the EFI variable's last byte), nil when unknown (no EFI).
    func secureBoot() -> Bool? {
        let dir = "sys/firmware/efi/efivars"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path(dir)) else { return nil }
        guard let name = names.first(where: { $0.hasPrefix("SecureBoot-") }),
            let data = FileManager.default.contents(atPath: path("\(dir)/\(name)")), let last = data.last
        else { return false }
        return last == 1
    }

    /// The v4l2loopback module files for the running kernel.
    func moduleFiles(release: String) -> [String] {
        let base = path("lib/modules/\(release)")
        guard let e = FileManager.default.enumerator(atPath: base) else { return [] }
        var out: [String] = []
        while let f = e.nextObject() as? String {
            if (f as NSString).lastPathComponent.hasPrefix("v4l2loopback.ko") { out.append(base + "/" + f) }
        }
        return out.sorted()
    }

    /// Whether a module file carries a signature (only checkable on uncompressed .ko files).
    static func isSigned(_ file: String) -> Bool? {
        guard file.hasSuffix(".ko"), let h = FileHandle(forReadingAtPath: file) else { return nil }
        defer { try? h.close() }
        let end = (try? h.seekToEnd()) ?? 0
        let marker = "~Module signature appended~\n"
        guard end >= UInt64(marker.utf8.count) else { return false }
        try? h.seek(toOffset: end - UInt64(marker.utf8.count))
        return h.readDataToEndOfFile() == Data(marker.utf8)
    }

    static let modprobe = "sudo modprobe v4l2loopback video_nr=10 card_label=SharpCam exclusive_caps=1"

    func loopbackChecks() -> [Check] {
        let release = read("proc/sys/kernel/osrelease") ?? "unknown"
        let loaded = exists("sys/module/v4l2loopback")
        let files = moduleFiles(release: release)
        let secure = secureBoot()
        var out: [Check] = []
        if loaded {
            let version = read("sys/module/v4l2loopback/version").map { " \($0)" } ?? ""
            out.append(Check(level: .ok, title: "v4l2loopback", detail: "loaded\(version)", hint: ""))
        } else if files.isEmpty {
            out.append(
                Check(
                    level: .problem, title: "v4l2loopback",
                    detail: "not installed for kernel \(release) (apps cannot see a SharpCam camera)",
                    hint: "sudo apt install v4l2loopback-dkms linux-headers-\(release), then \(Doctor.modprobe)"))
        } else {
            let signed = files.compactMap(Doctor.isSigned).first
            if secure == true && signed != true {
                out.append(
                    Check(
                        level: .problem, title: "v4l2loopback",
                        detail:
                            "installed but not loaded, and Secure Boot is on: the kernel refuses modules signed "
                            + "with a key it does not know",
                        hint:
                            "enrol DKMS's key: sudo mokutil --import /var/lib/dkms/mok.pub, reboot and confirm it "
                            + "in the blue MOK screen; then \(Doctor.modprobe)"
                    ))
            } else {
                out.append(
                    Check(
                        level: .problem, title: "v4l2loopback", detail: "installed (\(files[0])) but not loaded",
                        hint: "\(Doctor.modprobe) (install.sh makes it load at every boot)"))
            }
        }
        if let secure {
            out.append(
                Check(
                    level: .info, title: "Secure Boot", detail: secure ? "on (modules must be signed)" : "off",
                    hint: ""))
        }
        out.append(outputCheck(loaded: loaded))
        return out
    }

    func outputCheck(loaded: Bool) -> Check {
        let node = (output as NSString).lastPathComponent
        guard output.hasPrefix("/dev/video"), let name = read("sys/class/video4linux/\(node)/name") else {
            return Check(
                level: loaded ? .problem : .warning, title: "output \(output)", detail: "no such video device",
                hint: loaded
                    ? "the module is loaded without video_nr=10: sudo modprobe -r v4l2loopback && \(Doctor.modprobe)"
                    : "load v4l2loopback (above)")
        }
        // exclusive_caps is an array (one Y/N per device, in creation order); "Y" anywhere is
        // good enough to know the option was given.
        let caps = read("sys/module/v4l2loopback/parameters/exclusive_caps") ?? ""
        let exclusive = caps.split(separator: ",").first.map { $0 == "Y" || $0 == "1" }
        var check = Check(level: .ok, title: "output \(output)", detail: "\"\(name)\"", hint: "")
        if exclusive == false {
            check.level = .warning
            check.detail += ", exclusive_caps is off: Chrome and Meet will not list it"
            check.hint = "sudo modprobe -r v4l2loopback && \(Doctor.modprobe)"
        } else if exclusive == true {
            check.detail += ", exclusive_caps on"
        }
        if name != "SharpCam" && check.level == .ok {
            check.detail += " (apps list it by this name; card_label=SharpCam names it SharpCam)"
        }
        return check
    }

    // MARK: Groups, cameras, PipeWire, service, control socket

    func groupCheck() -> Check {
        guard let text = read("etc/group") else {
            return Check(level: .info, title: "group video", detail: "cannot read /etc/group", hint: "")
        }
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count >= 4, f[0] == "video", let gid = UInt32(f[2]) else { continue }
            let members = f[3].split(separator: ",").map(String.init)
            if members.contains(user) || processGroups.contains(gid) || user == "root" {
                return Check(level: .ok, title: "group video", detail: "\(user) is a member", hint: "")
            }
            return Check(
                level: .warning, title: "group video",
                detail: """
                    \(user) is not a member (needed for cameras on some systems and for the system service's \
                    control socket)
                    """,
                hint: "sudo usermod -aG video \(user), then log out and in again")
        }
        return Check(level: .warning, title: "group video", detail: "no group video on this system", hint: "")
    }

    func cameraCheck() -> Check {
        if root == "/" {
            let cameras = DeviceDiscovery.list().filter { $0.problem == nil && $0.isCapture && !$0.isLoopback }
            guard !cameras.isEmpty else { return noCamera }
            let list = cameras.map { c in
                let fourccs = c.formats.map { $0.split(separator: " ").first.map(String.init) ?? $0 }
                return "\(c.path) \"\(c.card)\" (\(fourccs.joined(separator: " ")))"
            }
            return Check(level: .ok, title: "cameras", detail: list.joined(separator: "; "), hint: "")
        }
        let dir = "sys/class/video4linux"
        let nodes = ((try? FileManager.default.contentsOfDirectory(atPath: path(dir))) ?? []).sorted()
        let named = nodes.compactMap { n -> String? in
            guard "/dev/\(n)" != output, let name = read("\(dir)/\(n)/name") else { return nil }
            return "/dev/\(n) \"\(name)\""
        }
        return named.isEmpty
            ? noCamera : Check(level: .ok, title: "cameras", detail: named.joined(separator: "; "), hint: "")
    }

    var noCamera: Check {
        Check(
            level: .warning, title: "cameras", detail: "none found (the output shows a \"no camera\" card)",
            hint: "plug a camera in; cameras only libcamera drives (Intel IPU6) need PipeWire")
    }

    func pipeWireCheck() -> Check {
        guard let dir = environment["XDG_RUNTIME_DIR"], !dir.isEmpty else {
            return Check(
                level: .info, title: "PipeWire", detail: "no user session ($XDG_RUNTIME_DIR is not set)", hint: "")
        }
        let socket = dir + "/pipewire-0"
        if let fd = try? UnixSocket.connect(socket) {
            close(fd)
            return Check(level: .ok, title: "PipeWire", detail: "running (\(socket))", hint: "")
        }
        return Check(
            level: .info, title: "PipeWire", detail: "not running (\(socket) does not answer)",
            hint: "only needed for PipeWire cameras: systemctl --user start pipewire wireplumber")
    }

    func serviceCheck() -> Check {
        let user = systemctl(["--user", "is-active", "sharpcamd"])
        let system = systemctl(["is-active", "sharpcamd"])
        guard user != nil || system != nil else {
            return Check(level: .info, title: "service", detail: "systemctl is not available", hint: "")
        }
        let states = [("user", user), ("system", system)].compactMap { k, v in v.map { "\(k) service \($0)" } }
        let active = user == "active" || system == "active"
        return Check(
            level: active ? .ok : .info, title: "service", detail: states.joined(separator: ", "),
            hint: active ? "" : "start it: systemctl --user enable --now sharpcamd (or run sharpcamd)")
    }

    func controlCheck() -> Check {
        let candidates = ControlSocket.clientCandidates(environment: environment)
        for path in candidates {
            guard access(path, F_OK) == 0 else { continue }
            do {
                let status = try ControlStatus.decode(try ControlClient.send("status", to: path))
                return Check(
                    level: .ok, title: "daemon",
                    detail: """
                        running (pid \(status.pid)), \(status.input), camera \(status.camera), \
                        \(String(format: "%.1f", status.fps)) fps; control socket \(path)
                        """,
                    hint: "")
            } catch {
                return Check(level: .warning, title: "daemon", detail: "\(error)", hint: "")
            }
        }
        return Check(
            level: .info, title: "daemon",
            detail: "not running (no control socket at \(candidates.joined(separator: " or ")))", hint: "")
    }

    /// `systemctl ARGS` with a 5 s limit; nil when systemctl is missing or says nothing.
    static func runSystemctl(_ args: [String]) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let exe = paths.map({ "\($0)/systemctl" as String }).first(where: { access($0, X_OK) == 0 }) else {
            return nil
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let deadline = Date().addingTimeInterval(5)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate() }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return out.split(separator: "\n").first.map(String.init)
    }
}
