import ArgumentParser
import SharpSupport

/// A SharpCam command: `execute()` does the work; what it throws becomes one line on stderr
/// ("tool: error: …", naming the file, device or flag) and an exit code, the same way in every
/// tool and subcommand.
///
/// Exit codes: 0 done; 1 an error (bad input, missing device, failed stage); 130 interrupted
/// (SIGINT/SIGTERM during a file job or training); ArgumentParser's own for usage errors.
public protocol SharpCamCommand: ParsableCommand {
    /// The tool's name as users type it ("sharpcamd").
    static var toolName: String { get }
    func execute() throws
    /// The line written after an interruption (what was kept, how to go on).
    var interruptedMessage: String { get }
}

extension SharpCamCommand {
    public var interruptedMessage: String { "interrupted" }

    public func run() throws {
        try ExitStatus.run(tool: Self.toolName, interrupted: interruptedMessage, execute)
    }
}

/// The one mapping from errors to exit codes.
public enum ExitStatus {
    /// Runs `body`; usage errors and explicit exit codes pass through to ArgumentParser,
    /// `CancelledError` exits 130, anything else prints "tool: error: …" and exits 1.
    public static func run(tool: String, interrupted: String = "interrupted", _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as ExitCode {
            throw e
        } catch let e as CleanExit {
            throw e
        } catch let e as ValidationError {
            throw e
        } catch is CancelledError {
            StandardError.write("\(Journal.prefix(Journal.warning))\(tool): \(interrupted)\n")
            throw ExitCode(130)
        } catch {
            StandardError.write("\(Journal.prefix(Journal.error))\(tool): error: \(error)\n")
            throw ExitCode(1)
        }
    }
}
