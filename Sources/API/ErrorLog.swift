import Primitives

/// Writes operator-facing error lines to standard error.
public enum ErrorLog {
    public static func write(_ message: String) {
        StandardError.writeLine("error: \(message)")
    }
}
