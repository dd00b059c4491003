import ArgumentParser
import Foundation
import SharpCommandLine
import SharpFrames
import SharpMedia
import SharpPipeline
import SharpSupport

/// `sharpcamd ctl`: talks to a running daemon through its control socket.
struct ControlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Show or change a running sharpcamd (status, strength, mode, snapshot, web).",
        discussion: """
            Talks to the daemon through its control socket: the user's daemon at
            $XDG_RUNTIME_DIR/sharpcam/control, else the system service's at
            /run/sharpcam/control (group video). Changes apply to the next frame.
            """,
        subcommands: [Status.self, Set.self, Snapshot.self, Web.self])

    struct Socket: ParsableArguments {
        @Option(
            name: .customLong("socket"),
            help: "The daemon's control socket (default: the user's daemon's, then the system service's).")
        var socket: String?

        /// The socket to use: --socket, else the first default that exists.
        var path: String {
            if let socket { return socket }
            let candidates = ControlSocket.clientCandidates()
            return candidates.first { access($0, F_OK) == 0 } ?? candidates[0]
        }
    }

    struct Status: SharpCamCommand {
        static let toolName = "sharpcamd ctl status"
        static let configuration = CommandConfiguration(abstract: "Show the daemon's state.")
        @OptionGroup var socket: Socket
        @Flag(help: "Print JSON (the control socket's own answer).") var json = false

        func execute() throws {
            let body = try ControlClient.send("status", to: socket.path)
            if json { return print(String(decoding: body, as: UTF8.self)) }
            print(try ControlStatus.decode(body).text)
        }
    }

    struct Set: SharpCamCommand {
        static let toolName = "sharpcamd ctl set"
        static let configuration = CommandConfiguration(
            abstract: "Change a setting now: strength 0...1, or mode nn|classic|bypass.",
            discussion: "Example: sharpcamd ctl set strength 0.6 --save")
        @OptionGroup var socket: Socket
        @Argument(help: "strength or mode") var key: String
        @Argument(help: "The new value.") var value: String
        @Flag(
            help: """
                Also write it to the configuration file the daemon reads at start (yours, or \
                /etc/sharpcam/sharpcamd.conf for the system service).
                """)
        var save = false

        func execute() throws {
            let path = socket.path
            let answer = try ControlClient.send("set \(key) \(value)", to: path)
            print(String(decoding: answer, as: UTF8.self))
            if save {
                let file =
                    path == ControlSocket.systemPath ? LiveConfiguration.systemFile : LiveConfiguration.userFile()
                try LiveConfiguration.save(key: key.lowercased(), value: value, toFile: file)
                print("saved in \(file)")
            }
        }
    }

    struct Snapshot: SharpCamCommand {
        static let toolName = "sharpcamd ctl snapshot"
        static let configuration = CommandConfiguration(
            abstract: "Save the current input and output side by side (.png, .jpg or .y4m).")
        @OptionGroup var socket: Socket
        @Argument(help: "The picture to write.") var file: String

        func execute() throws {
            let body = try ControlClient.send("snapshot", to: socket.path)
            let frame: Frame
            do {
                frame = try ControlFrame.decode(body)
            } catch {
                throw MediaError(.corrupt, path: socket.path, "the daemon sent an unreadable picture: \(error)")
            }
            let info = StreamInfo(
                format: frame.format, colorSpace: frame.colorSpace, frameRate: Rational(30, 1), frameCount: 1,
                isStillImage: true, codecName: "raw")
            let sink = try MediaFiles.openSink(file, info: info)
            do {
                try sink.write(frame)
                try sink.finish()
            } catch {
                sink.abort()
                throw error
            }
            print("wrote \(file): \(frame.width)x\(frame.height) (input | output)")
        }
    }

    struct Web: SharpCamCommand {
        static let toolName = "sharpcamd ctl web"
        static let configuration = CommandConfiguration(
            abstract: "Print the web console's address with this run's token (open it in a browser).",
            discussion: "The daemon serves the console when started with --web [ADDR:]PORT (or web = ... in its file).")
        @OptionGroup var socket: Socket

        func execute() throws {
            print(String(decoding: try ControlClient.send("web", to: socket.path), as: UTF8.self))
        }
    }
}
