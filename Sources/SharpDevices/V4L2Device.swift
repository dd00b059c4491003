import CV4L2
import Glibc
import SharpFrames
import SharpMedia

/// An open V4L2 device node: capabilities, formats, streaming I/O through mmap'ed buffers.
///
/// Invariant: the file descriptor stays open for the object's life (closed in deinit); every
/// failure is a `MediaError` naming the device and saying what the user can do about it.
public final class V4L2Device: @unchecked Sendable {
    public let path: String
    public let fd: Int32
    public let driver: String
    public let card: String
    public let busInfo: String
    public let capabilities: UInt32

    /// A mapped streaming buffer.
    public struct Buffer {
        public let index: Int
        public let base: UnsafeMutableRawPointer
        public let length: Int
    }

    public private(set) var buffers: [Buffer] = []
    private var streamingType: v4l2_buf_type?

    public init(path: String) throws {
        self.path = path
        guard sc_is_char_device(path) != 0 || access(path, F_OK) != 0 else {
            throw MediaError(.noDevice, path: path, "is not a video device")
        }
        let fd = sc_open_rw(path)
        if fd < 0 { throw V4L2Device.openError(path: path, errno: sc_errno()) }
        self.fd = fd
        var cap = v4l2_capability()
        if sc_v4l2_ioctl(fd, sc_vidioc_querycap(), &cap) != 0 {
            let e = sc_errno()
            Glibc.close(fd)
            throw MediaError(
                .noDevice, path: path, "is not a V4L2 device (VIDIOC_QUERYCAP: \(String(cString: strerror(e))))")
        }
        driver = V4L2Device.string(cap.driver)
        card = V4L2Device.string(cap.card)
        busInfo = V4L2Device.string(cap.bus_info)
        capabilities = cap.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0 ? cap.device_caps : cap.capabilities
    }

    deinit {
        if let t = streamingType { var type = t.rawValue; _ = sc_v4l2_ioctl(fd, sc_vidioc_streamoff(), &type) }
        for b in buffers { munmap(b.base, b.length) }
        Glibc.close(fd)
    }

    static func string<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    public var isCapture: Bool { capabilities & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0 }
    public var isOutput: Bool { capabilities & UInt32(V4L2_CAP_VIDEO_OUTPUT) != 0 }
    public var supportsStreaming: Bool { capabilities & UInt32(V4L2_CAP_STREAMING) != 0 }
    public var isLoopback: Bool { driver.contains("loopback") }

    // MARK: Errors

    static func openError(path: String, errno e: Int32) -> MediaError {
        switch e {
        case ENOENT, ENODEV, ENXIO:
            return MediaError(.noDevice, path: path, "no such video device")
        case EACCES, EPERM:
            return MediaError(
                .permissionDenied, path: path,
                "permission denied: add your user to the video group (sudo usermod -aG video $USER, then log in again)")
        case EBUSY:
            return busyError(path: path)
        default:
            return MediaError(.unreadable, path: path, "cannot open: \(String(cString: strerror(e)))")
        }
    }

    static func busyError(path: String) -> MediaError {
        MediaError(
            .busy, path: path,
            "device busy: in use by \(holderNames(path) ?? "another program"); close it and try again")
    }

    /// The processes holding `path` as a user reads them ("obs (PID 4242), chrome (PID 17)"),
    /// nil when none is visible.
    static func holderNames(_ path: String) -> String? {
        let holders = processesHolding(path)
        return holders.isEmpty ? nil : holders.map { "\($0.name) (PID \($0.pid))" }.joined(separator: ", ")
    }

    /// Processes with the device open (scanning /proc/*/fd; only those we may inspect).
    public static func processesHolding(_ path: String) -> [(pid: Int32, name: String)] {
        holders(of: path).processes
    }

    /// Processes other than this one that have `path` open (a device node matches by device
    /// number, so /dev/v4l links count too; other files by inode), and whether the scan saw
    /// every process (false when some /proc/PID/fd could not be read: another user's).
    public static func holders(of path: String) -> (processes: [(pid: Int32, name: String)], complete: Bool) {
        var st = stat()
        guard stat(path, &st) == 0, let proc = opendir("/proc") else { return ([], false) }
        defer { closedir(proc) }
        let isDevice = (st.st_mode & S_IFMT) == S_IFCHR
        func matches(_ candidate: String) -> Bool {
            var c = stat()
            guard stat(candidate, &c) == 0 else { return false }
            return isDevice
                ? ((c.st_mode & S_IFMT) == S_IFCHR && c.st_rdev == st.st_rdev)
                : (c.st_dev == st.st_dev && c.st_ino == st.st_ino)
        }
        var out: [(Int32, String)] = []
        var complete = true
        let me = getpid()
        while let entry = readdir(proc) {
            let name = string(entry.pointee.d_name)
            guard let pid = Int32(name), pid != me else { continue }
            guard let fdDir = opendir("/proc/\(name)/fd") else {
                if errno == EACCES || errno == EPERM { complete = false }
                continue
            }
            defer { closedir(fdDir) }
            while let fdEntry = readdir(fdDir) {
                let n = string(fdEntry.pointee.d_name)
                if n == "." || n == ".." { continue }
                if matches("/proc/\(name)/fd/\(n)") {
                    let comm = (try? readSmallFile("/proc/\(name)/comm")) ?? "?"
                    out.append((pid, comm.trimmingCharacters(in: "\n")))
                    break
                }
            }
        }
        return (out.map { (pid: $0.0, name: $0.1) }, complete)
    }

    func fail(_ what: String) -> MediaError {
        let e = sc_errno()
        switch e {
        case ENODEV, ENXIO, EIO:
            return MediaError(
                .noDevice, path: path, "\(what): the device disappeared (\(String(cString: strerror(e))))")
        case EBUSY: return V4L2Device.busyError(path: path)
        default: return MediaError(.unsupported, path: path, "\(what) failed: \(String(cString: strerror(e)))")
        }
    }

    // MARK: Formats

    /// A pixel format the device offers, with its frame sizes.
    public struct FormatDescription: Sendable, CustomStringConvertible {
        public let fourcc: UInt32
        public let name: String
        public let sizes: [(width: Int, height: Int)]
        public var fourccString: String { V4L2Device.fourccString(fourcc) }
        public var description: String {
            let s = sizes.prefix(8).map { "\($0.width)x\($0.height)" }.joined(separator: " ")
            return "\(fourccString) (\(name))" + (s.isEmpty ? "" : ": \(s)\(sizes.count > 8 ? " …" : "")")
        }
    }

    public static func fourccString(_ f: UInt32) -> String {
        String(
            decoding: [UInt8(f & 0xFF), UInt8((f >> 8) & 0xFF), UInt8((f >> 16) & 0xFF), UInt8(f >> 24)], as: UTF8.self)
    }

    public func formats(_ type: v4l2_buf_type) -> [FormatDescription] {
        var out: [FormatDescription] = []
        var i: UInt32 = 0
        while true {
            var d = v4l2_fmtdesc()
            d.index = i
            d.type = type.rawValue
            if sc_v4l2_ioctl(fd, sc_vidioc_enum_fmt(), &d) != 0 { break }
            out.append(
                FormatDescription(
                    fourcc: d.pixelformat, name: V4L2Device.string(d.description), sizes: frameSizes(d.pixelformat)))
            i += 1
        }
        return out
    }

    public func frameSizes(_ fourcc: UInt32) -> [(width: Int, height: Int)] {
        var out: [(Int, Int)] = []
        var i: UInt32 = 0
        while true {
            var s = v4l2_frmsizeenum()
            s.index = i
            s.pixel_format = fourcc
            if sc_v4l2_ioctl(fd, sc_vidioc_enum_framesizes(), &s) != 0 { break }
            if s.type == V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
                out.append((Int(s.discrete.width), Int(s.discrete.height)))
            } else {
                // Stepwise/continuous: report the usual sizes within range.
                let w = s.stepwise
                for (cw, ch) in [(640, 480), (1280, 720), (1920, 1080)]
                where UInt32(cw) >= w.min_width && UInt32(cw) <= w.max_width && UInt32(ch) >= w.min_height
                    && UInt32(ch) <= w.max_height
                {
                    out.append((cw, ch))
                }
                break
            }
            i += 1
        }
        return out.map { (width: $0.0, height: $0.1) }
    }

    /// Sets the format (FOURCC and size together, FOURCC first as drivers expect) and returns
    /// what the driver chose: (fourcc, width, height, bytesPerLine, sizeImage).
    @discardableResult
    public func setFormat(
        _ type: v4l2_buf_type, fourcc: UInt32, width: Int, height: Int
    ) throws -> (fourcc: UInt32, width: Int, height: Int, bytesPerLine: Int, sizeImage: Int) {
        var f = v4l2_format()
        f.type = type.rawValue
        if sc_v4l2_ioctl(fd, sc_vidioc_g_fmt(), &f) != 0 { throw fail("VIDIOC_G_FMT") }
        f.fmt.pix.pixelformat = fourcc
        if sc_v4l2_ioctl(fd, sc_vidioc_s_fmt(), &f) != 0 {
            throw fail("VIDIOC_S_FMT (\(V4L2Device.fourccString(fourcc)))")
        }
        f.fmt.pix.width = UInt32(width)
        f.fmt.pix.height = UInt32(height)
        f.fmt.pix.field = V4L2_FIELD_NONE.rawValue
        f.fmt.pix.bytesperline = 0
        f.fmt.pix.sizeimage = 0
        if type == V4L2_BUF_TYPE_VIDEO_OUTPUT {
            f.fmt.pix.bytesperline = fourcc == sc_pix_fmt_yuyv() ? UInt32(width * 2) : UInt32(width)
            f.fmt.pix.sizeimage =
                fourcc == sc_pix_fmt_yuyv() ? UInt32(width * height * 2) : UInt32(width * height * 3 / 2)
            f.fmt.pix.colorspace = V4L2_COLORSPACE_SRGB.rawValue
        }
        if sc_v4l2_ioctl(fd, sc_vidioc_s_fmt(), &f) != 0 {
            throw fail("VIDIOC_S_FMT (\(V4L2Device.fourccString(fourcc)) \(width)x\(height))")
        }
        let p = f.fmt.pix
        return (p.pixelformat, Int(p.width), Int(p.height), Int(p.bytesperline), Int(p.sizeimage))
    }

    /// Asks for a frame rate (VIDIOC_S_PARM) and returns the one the driver set (nil if it
    /// cannot set rates).
    @discardableResult
    public func setFrameRate(_ type: v4l2_buf_type, _ rate: Rational) -> Rational? {
        var p = v4l2_streamparm()
        p.type = type.rawValue
        if type == V4L2_BUF_TYPE_VIDEO_OUTPUT {
            p.parm.output.timeperframe = v4l2_fract(numerator: UInt32(rate.den), denominator: UInt32(rate.num))
        } else {
            p.parm.capture.timeperframe = v4l2_fract(numerator: UInt32(rate.den), denominator: UInt32(rate.num))
        }
        guard sc_v4l2_ioctl(fd, sc_vidioc_s_parm(), &p) == 0 else { return nil }
        let t = type == V4L2_BUF_TYPE_VIDEO_OUTPUT ? p.parm.output.timeperframe : p.parm.capture.timeperframe
        return t.numerator > 0 && t.denominator > 0 ? Rational(Int(t.denominator), Int(t.numerator)) : nil
    }

    // MARK: Streaming

    /// Requests and maps `count` buffers (the driver may give fewer or more).
    public func mapBuffers(_ type: v4l2_buf_type, count: Int) throws {
        var req = v4l2_requestbuffers()
        req.count = UInt32(count)
        req.type = type.rawValue
        req.memory = V4L2_MEMORY_MMAP.rawValue
        if sc_v4l2_ioctl(fd, sc_vidioc_reqbufs(), &req) != 0 { throw fail("VIDIOC_REQBUFS") }
        guard req.count >= 1 else { throw MediaError(.unsupported, path: path, "the driver gave no streaming buffers") }
        var mapped: [Buffer] = []
        for i in 0..<Int(req.count) {
            var b = v4l2_buffer()
            b.index = UInt32(i)
            b.type = type.rawValue
            b.memory = V4L2_MEMORY_MMAP.rawValue
            if sc_v4l2_ioctl(fd, sc_vidioc_querybuf(), &b) != 0 { throw fail("VIDIOC_QUERYBUF") }
            guard let p = sc_mmap_shared(fd, Int(b.length), off_t(b.m.offset)) else { throw fail("mmap") }
            mapped.append(Buffer(index: i, base: p, length: Int(b.length)))
        }
        buffers = mapped
    }

    public func queue(_ type: v4l2_buf_type, index: Int, bytesUsed: Int = 0, timestampNanos: Int64 = 0) throws {
        var b = v4l2_buffer()
        b.index = UInt32(index)
        b.type = type.rawValue
        b.memory = V4L2_MEMORY_MMAP.rawValue
        b.bytesused = UInt32(bytesUsed)
        b.field = V4L2_FIELD_NONE.rawValue
        b.timestamp.tv_sec = Int(timestampNanos / 1_000_000_000)
        b.timestamp.tv_usec = Int((timestampNanos % 1_000_000_000) / 1000)
        if sc_v4l2_ioctl(fd, sc_vidioc_qbuf(), &b) != 0 { throw fail("VIDIOC_QBUF") }
    }

    /// A dequeued buffer: index, bytes used, kernel timestamp (ns), sequence, error flag.
    public struct Dequeued {
        public let index: Int
        public let bytesUsed: Int
        public let timestampNanos: Int64
        public let sequence: UInt32
        public let hasError: Bool
    }

    /// Dequeues a buffer, waiting up to `timeoutMillis`; nil on timeout.
    public func dequeue(_ type: v4l2_buf_type, timeoutMillis: Int32) throws -> Dequeued? {
        let events: Int16 = type == V4L2_BUF_TYPE_VIDEO_OUTPUT ? Int16(POLLOUT) : Int16(POLLIN)
        let r = sc_poll_one(fd, events, timeoutMillis)
        if r < 0 { throw fail("poll") }
        if r == 0 { return nil }
        if Int16(r) & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 && Int16(r) & events == 0 {
            throw MediaError(.noDevice, path: path, "the device disappeared")
        }
        var b = v4l2_buffer()
        b.type = type.rawValue
        b.memory = V4L2_MEMORY_MMAP.rawValue
        if sc_v4l2_ioctl(fd, sc_vidioc_dqbuf(), &b) != 0 {
            if sc_errno() == EAGAIN { return nil }
            throw fail("VIDIOC_DQBUF")
        }
        let ts = Int64(b.timestamp.tv_sec) * 1_000_000_000 + Int64(b.timestamp.tv_usec) * 1000
        return Dequeued(
            index: Int(b.index), bytesUsed: Int(b.bytesused), timestampNanos: ts, sequence: b.sequence,
            hasError: b.flags & UInt32(V4L2_BUF_FLAG_ERROR) != 0)
    }

    public func streamOn(_ type: v4l2_buf_type) throws {
        var t = type.rawValue
        if sc_v4l2_ioctl(fd, sc_vidioc_streamon(), &t) != 0 { throw fail("VIDIOC_STREAMON") }
        streamingType = type
    }

    public func streamOff() {
        guard let type = streamingType else { return }
        var t = type.rawValue
        _ = sc_v4l2_ioctl(fd, sc_vidioc_streamoff(), &t)
        streamingType = nil
    }
}

/// Reads a small text file (procfs, sysfs) completely.
func readSmallFile(_ path: String) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw MediaError(.unreadable, path: path, "cannot read") }
    defer { close(fd) }
    var out = [UInt8]()
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fd, &buf, buf.count)
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return String(decoding: out, as: UTF8.self)
}
