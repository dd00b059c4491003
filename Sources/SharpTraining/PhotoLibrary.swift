import Foundation
import SharpSupport

/// Loads the pictures of a folder (PNG, JPEG...) in name order.
public enum PhotoLibrary {
    static let extensions: Set<String> = ["png", "jpg", "jpeg", "bmp", "webp", "ppm"]

    public static func load(_ directory: String) throws -> [RGBImage] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw SharpCamError("\(directory): cannot list the folder (\(error.localizedDescription))")
        }
        let pictures = names.filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        guard !pictures.isEmpty else { throw SharpCamError("\(directory): no pictures (.png, .jpg) in the folder") }
        return try pictures.map { try RGBImage(contentsOf: (directory as NSString).appendingPathComponent($0)) }
    }
}
