import Glibc

/// The picture size a PNG or JPEG file declares in its header, read without decoding (to name
/// the size of a picture refused by the pixel limit).
///
/// Invariant: reads at most the first 64 KB; nil for other formats or damaged headers.
enum PictureHeader {
    static func declaredSize(ofFileAt path: String) -> (width: Int, height: Int)? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var b = [UInt8](repeating: 0, count: 65536)
        let n = fread(&b, 1, b.count, f)
        return declaredSize(Array(b.prefix(n)))
    }

    static func declaredSize(_ b: [UInt8]) -> (width: Int, height: Int)? {
        func be(_ i: Int, _ count: Int) -> Int { (i..<(i + count)).reduce(0) { $0 << 8 | Int(b[$1]) } }
        if b.count >= 24, b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
            b[12..<16].elementsEqual("IHDR".utf8)
        {
            return (be(16, 4), be(20, 4))
        }
        guard b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var i = 2
        while i + 9 < b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }
            let length = be(i + 2, 2)
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                return (be(i + 7, 2), be(i + 5, 2))
            }
            i += 2 + length
        }
        return nil
    }
}
