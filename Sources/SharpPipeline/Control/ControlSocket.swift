import Glibc

/// Where the control socket lives.
///
/// Invariant: the daemon and `sharpcamd ctl` compute the same default from the same
/// environment: `$SHARPCAM_CONTROL`; else, for a user, `$XDG_RUNTIME_DIR/sharpcam/control`;
/// else systemd's `$RUNTIME_DIRECTORY/control`; else `/run/sharpcam/control` (the system
/// service, group `video`).
public enum ControlSocket {
    public static let systemPath = "/run/sharpcam/control"

    public static func environment() -> [String: String] {
        var env: [String: String] = [:]
        for key in ["SHARPCAM_CONTROL", "XDG_RUNTIME_DIR", "RUNTIME_DIRECTORY"] {
            if let v = getenv(key) { env[key] = String(cString: v) }
        }
        return env
    }

    /// The daemon's socket path.
    public static func defaultPath(environment env: [String: String] = environment()) -> String {
        if let p = env["SHARPCAM_CONTROL"], !p.isEmpty { return p }
        if let d = env["XDG_RUNTIME_DIR"], !d.isEmpty { return d + "/sharpcam/control" }
        if let d = env["RUNTIME_DIRECTORY"]?.split(separator: ":").first, !d.isEmpty { return d + "/control" }
        return systemPath
    }

    /// Where `sharpcamd ctl` looks, in order: the user's daemon, then the system service's.
    public static func clientCandidates(environment env: [String: String] = environment()) -> [String] {
        if let p = env["SHARPCAM_CONTROL"], !p.isEmpty { return [p] }
        var out: [String] = []
        if let d = env["XDG_RUNTIME_DIR"], !d.isEmpty { out.append(d + "/sharpcam/control") }
        out.append(systemPath)
        return out
    }

    /// The group that may use a socket at `path` (`video` for the system service's), or nil.
    public static func group(for path: String) -> gid_t? {
        guard path.hasPrefix("/run/sharpcam/"), let g = getgrnam("video") else { return nil }
        return g.pointee.gr_gid
    }
}
