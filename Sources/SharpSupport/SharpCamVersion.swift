/// SharpCam's version: the one place it is written (`--version` of every tool).
public enum SharpCamVersion {
    public static let string = "0.9.0"
}
