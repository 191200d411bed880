#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The kernel's view of this machine's TCP sockets (/proc/net/tcp and tcp6), so tests can
/// observe what a server did with a socket rather than infer it from timing.
public enum SocketTable {
    /// One row of /proc/net/tcp{,6}.
    public struct Entry: Sendable {
        public var localPort: Int
        public var remotePort: Int
        /// `0A` is LISTEN, `01` ESTABLISHED (include/net/tcp_states.h).
        public var state: String
        /// Bytes received and not yet read by the socket's owner.
        public var receiveQueue: Int
        public var inode: UInt64
    }

    public static func entries() -> [Entry] {
        var result: [Entry] = []
        for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = readProcFile(file) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 9,
                      let local = fields[1].split(separator: ":").last.flatMap({ Int($0, radix: 16) }),
                      let remote = fields[2].split(separator: ":").last.flatMap({ Int($0, radix: 16) }),
                      let queue = fields[4].split(separator: ":").last.flatMap({ Int($0, radix: 16) }),
                      let inode = UInt64(fields[9]) else { continue }
                result.append(Entry(localPort: local, remotePort: remote, state: String(fields[3]), receiveQueue: queue, inode: inode))
            }
        }
        return result
    }

    /// /proc files report a size of 0, so they are read until EOF rather than by their size.
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The inode of the socket listening on `port`, if any.
    public static func listeningInode(port: Int) -> UInt64? {
        entries().first { $0.localPort == port && $0.state == "0A" }?.inode
    }

    /// The socket inodes this process has open (the `socket:[N]` links in /proc/self/fd).
    public static func openSocketInodes() -> Set<UInt64> {
        var inodes = Set<UInt64>()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return inodes }
        for name in names {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)"),
                  target.hasPrefix("socket:["), target.hasSuffix("]") else { continue }
            if let inode = UInt64(target.dropFirst(8).dropLast()) { inodes.insert(inode) }
        }
        return inodes
    }

    /// Unread bytes on the server's end of the connection from `clientPort` to `serverPort`.
    public static func serverReceiveQueue(serverPort: Int, clientPort: Int) -> Int? {
        entries().first { $0.localPort == serverPort && $0.remotePort == clientPort }?.receiveQueue
    }
}
