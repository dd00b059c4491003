import Foundation

/// Polls `condition` every 5 ms until it holds; throws after `seconds`.
public func waitUntil(seconds: Double = 3, _ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { throw TestSetupError("condition not met within \(seconds) s") }
        usleep(5000)
    }
}
