import Foundation
import SharpMedia
import TestSupport
import Testing

@Suite struct AtomicOutputFileTests {
    let dir = TemporaryDirectory("atomic")

    @Test func commitMovesTheTemporaryIntoPlace() throws {
        let path = dir.file("out.bin")
        let out = try AtomicOutputFile(finalPath: path)
        #expect(out.temporaryPath.hasPrefix(dir.path + "/.out.bin.sharpcam-") && out.temporaryPath.hasSuffix(".bin"))
        try Data("new".utf8).write(to: URL(fileURLWithPath: out.temporaryPath))
        try out.commit()
        #expect(dir.contents == ["out.bin"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
    }

    @Test func discardAndDeinitRemoveTheTemporary() throws {
        let path = dir.file("o.bin")
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        do {
            let out = try AtomicOutputFile(finalPath: path)
            try Data("partial".utf8).write(to: URL(fileURLWithPath: out.temporaryPath))
            out.discard()
        }
        do {
            let out = try AtomicOutputFile(finalPath: path)
            try Data("partial".utf8).write(to: URL(fileURLWithPath: out.temporaryPath))
        }
        #expect(dir.contents == ["o.bin"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
    }

    @Test func relativePathsAndBadDirectories() throws {
        let rel = try AtomicOutputFile(finalPath: "x.mp4")
        #expect(!rel.temporaryPath.contains("/"))
        #expect(
            throws: MediaError(
                .outputDirectoryMissing, path: dir.file("no/x.mp4"), "output directory \(dir.path)/no does not exist")
        ) {
            try AtomicOutputFile(finalPath: dir.file("no/x.mp4"))
        }
        #expect(throws: MediaError.self) { try AtomicOutputFile(finalPath: dir.path) }
        #expect(AtomicOutputFile.fileExtension(of: "/a.b/c.MP4") == "mp4")
        #expect(AtomicOutputFile.fileExtension(of: "/a.b/c") == "")
        #expect(AtomicOutputFile.fileExtension(of: ".hidden") == "")
    }

    @Test func mediaKindsAndSameFileCheck() throws {
        #expect(MediaFiles.kind(ofInput: "a.Y4M") == .y4m)
        #expect(MediaFiles.kind(ofInput: "a.jpeg") == .image)
        #expect(MediaFiles.kind(ofInput: "a.webm") == .video)
        #expect(MediaFiles.kind(ofOutput: "a.bmp") == .video)
        let path = dir.file("same.y4m")
        try Data("x".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: MediaError.self) { try MediaFiles.checkDistinct(input: path, output: dir.path + "/./same.y4m") }
        try MediaFiles.checkDistinct(input: path, output: dir.file("other.y4m"))
    }
}
