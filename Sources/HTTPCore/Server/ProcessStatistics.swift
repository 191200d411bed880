#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The standard `process_*` series Prometheus clients export, read from /proc (Linux).
public struct ProcessStatistics: Sendable {
    public var residentBytes: Double
    public var virtualBytes: Double
    public var openDescriptors: Double
    public var maxDescriptors: Double
    public var cpuSeconds: Double
    /// Seconds since 1970 when the process started.
    public var startTime: Double

    /// Reads them now; a field that cannot be read is 0.
    public static func read() -> ProcessStatistics {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        var stats = ProcessStatistics(residentBytes: 0, virtualBytes: 0, openDescriptors: 0, maxDescriptors: 0, cpuSeconds: 0, startTime: 0)
        if let statm = readFile("/proc/self/statm")?.split(separator: " "), statm.count > 1 {
            stats.virtualBytes = (Double(statm[0]) ?? 0) * page
            stats.residentBytes = (Double(statm[1]) ?? 0) * page
        }
        // Fields after the parenthesized name (which may hold spaces): utime is the 14th field
        // of the line, stime the 15th, starttime the 22nd (proc(5)).
        if let stat = readFile("/proc/self/stat"), let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 19 {
                stats.cpuSeconds = ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks
                let bootTime = readFile("/proc/stat")?.split(separator: "\n").first { $0.hasPrefix("btime ") }
                    .flatMap { Double($0.dropFirst(6).trimmingCharacters()) } ?? 0
                stats.startTime = bootTime + (Double(fields[19]) ?? 0) / ticks
            }
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { stats.maxDescriptors = Double(limit.rlim_cur) }
        if let directory = opendir("/proc/self/fd") {
            var count = 0
            while let entry = readdir(directory) {
                if entry.pointee.d_name.0 != 0x2E { count += 1 }  // not "." or ".."
            }
            closedir(directory)
            stats.openDescriptors = Double(max(0, count - 1))  // less the directory's own descriptor
        }
        return stats
    }

    /// A /proc file read to its end (they report a size of 0).
    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = Glibc.read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> Substring {
        var text = self
        while let last = text.last, last == " " || last == "\n" { text = text.dropLast() }
        while let first = text.first, first == " " { text = text.dropFirst() }
        return text
    }
}
