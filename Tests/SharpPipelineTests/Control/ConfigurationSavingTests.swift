import Foundation
import SharpPipeline
import TestSupport
import Testing

@Suite struct ConfigurationSavingTests {
    @Test func replacesTheActiveLineAndKeepsTheRest() {
        let text = "# strength = 0.1 (comment)\nstrength = 1   # default\nmode = nn\nstrength = 0.9\n"
        #expect(
            LiveConfiguration.updating(text, key: "strength", value: "0.6")
                == "# strength = 0.1 (comment)\nstrength = 1   # default\nmode = nn\nstrength = 0.6\n")
        #expect(LiveConfiguration.updating("mode = nn", key: "strength", value: "0.6") == "mode = nn\nstrength = 0.6\n")
        #expect(LiveConfiguration.updating("", key: "mode", value: "classic") == "mode = classic\n")
    }

    @Test func savesAtomicallyAndCreatesTheDirectory() throws {
        let dir = TemporaryDirectory("save")
        let file = dir.file("sharpcam/sharpcamd.conf")
        try LiveConfiguration.save(key: "strength", value: "0.6", toFile: file)
        try LiveConfiguration.save(key: "mode", value: "classic", toFile: file)
        try LiveConfiguration.save(key: "strength", value: "0.4", toFile: file)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "strength = 0.4\nmode = classic\n")
        // A value the daemon would refuse is not written.
        #expect(throws: ConfigurationError.self) {
            try LiveConfiguration.save(key: "strength", value: "3", toFile: file)
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "strength = 0.4\nmode = classic\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.file("sharpcam"))
        #expect(leftovers == ["sharpcamd.conf"])
    }
}
