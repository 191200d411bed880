import Dispatch
import Foundation
import Testing
import TestSupport
@testable import HTTPCore
import Primitives

@Suite("HTTP core pieces", .timeLimit(.minutes(1)))
struct HTTPCorePieceTests {
    /// Workers run five nice steps below the thread that made the pool (I/O threads keep theirs).
    @Test func workersRunAtLowerPriority() throws {
        /// Field 19 of /proc/thread-self/stat, after the parenthesized command name.
        @Sendable func niceOfThisThread() -> Int? {
            guard let stat = try? String(contentsOfFile: "/proc/thread-self/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 16 ? Int(fields[16]) : nil
        }
        let pool = WorkerPool(threads: 2, maxQueued: 8)
        defer { pool.stop() }
        let seen = Future<Int?>()
        #expect(pool.submit { seen.complete(.success(niceOfThisThread())) })
        let own = try #require(niceOfThisThread())
        #expect(try seen.value(within: 10) == min(19, own + Int(WorkerPool.niceness)))
    }

    /// The access log buffers logfmt lines and writes them whole to its descriptor on flush.
    @Test func accessLogWritesWholeLinesOnFlush() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let log = AccessLog(fd: fds[1])
        for index in 0..<3 {
            log.record(method: "GET", path: "/contacts/\(index)", status: 200, bytes: 42, durationNanos: 1_500_000, requestID: "r\(index)", remote: "127.0.0.1")
        }
        log.flush()
        close(fds[1])
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            text += chunk[..<count]
        }
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        for (index, line) in lines.enumerated() {
            #expect(line.hasPrefix("time="))
            #expect(line.contains(" method=GET path=/contacts/\(index) status=200 bytes=42 duration_ms=1.5 request_id=r\(index) remote=127.0.0.1"))
        }
    }

    /// Status codes and Content-Length values are written as bytes; every digit count round-trips.
    @Test func decimalDigitsMatchDescription() {
        var probes = [0, 1, 9, 10, 99, 100, 204, 65_535, Int.max]
        var power = 1
        for _ in 0..<18 { power *= 10; probes += [power - 1, power, power + 1] }
        for value in probes {
            var out: [UInt8] = [0x41]
            ResponseSerializer.appendDecimal(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == "A\(value)")
        }
    }

    @Test func stringsEscapeAtEveryOffset() throws {
        // The writer skips eight bytes at a time; a character that needs escaping must be
        // found wherever it falls in the word.
        for special in ["\"", "\\", "\n", "\u{01}", "\u{1F}", "é", "😀", "\u{7F}"] {
            for offset in 0..<20 {
                let text = String(repeating: "a", count: offset) + special + String(repeating: "b", count: 19 - offset)
                var writer = JSONWriter()
                writer.string(text)
                #expect(try JSONParser.parse(writer.bytes) == .string(text))
                let json = String(decoding: writer.bytes, as: UTF8.self)
                #expect(!json.dropFirst().dropLast().contains("\"") || json.contains("\\\""))
                #expect(!json.utf8.contains { $0 < 0x20 })
            }
        }
    }
}
