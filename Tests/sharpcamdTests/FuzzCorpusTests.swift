import Foundation
import TestSupport
import Testing

/// Every committed fuzz seed and every input that once crashed SharpCam (Tests/Fuzz/regressions)
/// goes through its fuzz target on each test run, without libFuzzer: none may trap.
@Suite struct FuzzCorpusTests {
    @Test(arguments: ["config", "weights", "y4m", "picture", "control"])
    func corpusAndRegressionsReplayCleanly(_ target: String) throws {
        let root = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Fuzz").path
        let r = try ProcessRunner.run(
            TestEnvironment.executable("sharpcam-fuzz"),
            [target, "\(root)/corpus/\(target)", "\(root)/regressions/\(target)"])
        #expect(r.status == 0, "\(target): \(r.stderr)")
        let out = String(decoding: r.stdout, as: UTF8.self)
        let replayed = out.split(separator: " ").dropLast(2).last.flatMap { Int($0) } ?? 0
        #expect(replayed >= 3, "\(out)")
    }
}
