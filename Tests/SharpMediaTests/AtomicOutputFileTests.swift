import Foundation
import Glibc
import TestSupport
import Testing

@testable import SharpMedia

@Suite struct AtomicOutputFileTests {
    let dir = TemporaryDirectory("atomic")

    /// The output is written into an unnamed file: nothing is visible in the directory until
    /// the commit gives it its final name.
    @Test func commitGivesTheUnnamedFileItsName() throws {
        let path = dir.file("out.bin")
        let out = try AtomicOutputFile(finalPath: path)
        #expect(out.writePath.hasPrefix("/proc/self/fd/"), "\(out.writePath)")
        try Data("new".utf8).write(to: URL(fileURLWithPath: out.writePath))
        #expect(dir.contents.isEmpty)
        try out.commit()
        #expect(dir.contents == ["out.bin"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
    }

    @Test(arguments: [true, false])
    func discardAndDeinitLeaveNothing(unnamed: Bool) throws {
        let path = dir.file("o.bin")
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        do {
            let out = try AtomicOutputFile(finalPath: path, unnamed: unnamed)
            try Data("partial".utf8).write(to: URL(fileURLWithPath: out.writePath))
            out.discard()
        }
        do {
            let out = try AtomicOutputFile(finalPath: path, unnamed: unnamed)
            try Data("partial".utf8).write(to: URL(fileURLWithPath: out.writePath))
        }
        #expect(dir.contents == ["o.bin"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
    }

    /// Without O_TMPFILE: a hidden name created exclusively, owner-only, never through a link.
    @Test func hiddenNameFallbackIsExclusive() throws {
        let path = dir.file("f.mkv")
        let out = try AtomicOutputFile(finalPath: path, unnamed: false)
        #expect(out.writePath.hasPrefix(dir.path + "/.f.mkv.sharpcam-") && out.writePath.hasSuffix(".mkv"))
        var st = stat()
        #expect(lstat(out.writePath, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && (st.st_mode & 0o777) == 0o600)
        try Data("x".utf8).write(to: URL(fileURLWithPath: out.writePath))
        try out.commit()
        #expect(dir.contents == ["f.mkv"])
    }

    @Test func relativePathsAndBadDirectories() throws {
        let rel = try AtomicOutputFile(finalPath: "x.mp4", unnamed: false)
        #expect(!rel.writePath.contains("/"))
        rel.discard()
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

/// Write errors name the output the user gave, never the file actually opened.
@Suite struct WriteErrorNamingTests {
    @Test func errorsNameTheDisplayPath() throws {
        let file = try BufferedFile(path: "/dev/full", mode: .write, displayPath: "/home/me/out.y4m")
        do {
            try file.write(String(repeating: "x", count: 4096))
            try file.flush()
            Issue.record("writing to /dev/full succeeded")
        } catch let e as MediaError {
            #expect(e.path == "/home/me/out.y4m" && e.kind == .writeFailed, "\(e)")
        }
    }
}
