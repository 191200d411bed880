import Foundation

/// Writes operator-facing error lines to standard error.
public enum ErrorLog {
    public static func write(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }
}
