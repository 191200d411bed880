#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole writes to a file descriptor: the loop every log and error line needs.
public enum FileOutput {
    /// Writes all of `bytes` to `fd`, retrying short writes and EINTR; stops quietly on
    /// another error (a closed stdout must not take the server down).
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}

/// Unbuffered writes to standard error, whole lines at a time.
public enum StandardError {
    /// Writes `line` and a newline in one write where the kernel allows.
    public static func writeLine(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        bytes.withUnsafeBytes { FileOutput.writeAll(2, $0) }
    }
}
