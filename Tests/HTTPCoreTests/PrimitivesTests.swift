import Dispatch
import Foundation
import Testing
import TestSupport
@testable import HTTPCore
import Primitives

@Suite("Primitives", .timeLimit(.minutes(1)))
struct PrimitivesTests {
    /// The result reaches the one subscriber whichever comes first, exactly once.
    @Test func futureDeliversOnceWhicheverComesFirst() throws {
        struct Failed: Error {}
        let early = Future<Int>()
        early.complete(.success(1))
        early.complete(.success(2))
        let seen = Lock<[Int]>([])
        early.whenComplete { result in seen.withLock { list in list.append((try? result.get()) ?? -1) } }
        early.whenComplete { _ in seen.withLock { $0.append(99) } }
        #expect(seen.withLock { $0 } == [1])

        let late = Future<Int>()
        late.whenComplete { result in seen.withLock { list in list.append((try? result.get()) ?? -1) } }
        #expect(seen.withLock { $0 } == [1])
        late.complete(.failure(Failed()))
        late.complete(.success(3))
        #expect(seen.withLock { $0 } == [1, -1])
        #expect(throws: Failed.self) { try finishes { try Future<Int>(.failure(Failed())).wait() } }
        // Waiting on a future whose result already went to a subscriber fails instead of hanging.
        #expect(throws: FutureError.self) { try finishes { try early.wait() } }
        #expect(throws: FutureError.self) { try finishes { try late.wait() } }
    }

    @Test func futureWaitReturnsWhatAnotherThreadCompletes() throws {
        for index in 0..<200 {
            let future = Future<String>()
            DispatchQueue.global().async { future.complete(.success("value \(index)")) }
            #expect(try finishes { try future.wait() } == "value \(index)")
        }
    }

    /// Threads run their body under the given name, cut to the kernel's 15 bytes.
    @Test func systemThreadsRunNamed() throws {
        let names = Future<[String]>()
        let collected = Lock<[String]>([])
        for name in ["foothold-short", "foothold-a-very-long-name"] {
            #expect(SystemThread.start(name: name) {
                let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "unreadable"
                let all = collected.withLock { list in
                    list.append(comm.trimmingCharacters(in: .newlines))
                    return list
                }
                if all.count == 2 { names.complete(.success(all.sorted())) }
            })
        }
        #expect(try names.value(within: 10) == ["foothold-a-very", "foothold-short"])
    }

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

    /// Waiters sleep until another thread changes the value and signals, then see the change.
    @Test func conditionLockWakesWaiters() throws {
        struct State { var inputs: [Int] = []; var outputs: [Int] = [] }
        let box = ConditionLock(State())
        let done = Future<[Int]>()
        for index in 0..<4 {
            SystemThread.start(name: "waiter") {
                let seen = box.wait { state in state.inputs.count > index ? state.inputs[index] : nil }
                box.withLock { $0.outputs.append(seen * 10) }
                box.broadcast()
            }
        }
        SystemThread.start(name: "collector") {
            done.complete(.success(box.wait { state in state.outputs.count == 4 ? state.outputs : nil }))
        }
        for value in 1...4 {
            box.withLock { $0.inputs.append(value) }
            box.signal()
            box.broadcast()
        }
        #expect(try done.value(within: 10).sorted() == [10, 20, 30, 40])
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

    @Test func base64URLMatchesFoundationForEveryLength() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let encoded = Base64URL.encode(bytes)
            #expect(encoded == expected)
            #expect(Base64URL.decode(encoded) == bytes)
        }
    }

    @Test(arguments: ["QQ==", "Q+", "Q/", "Q", "QUJDR", "QR", "Q Q", "é"])
    func base64URLRejectsWhatItNeverProduces(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test func timestampsMatchTheCalendar() {
        func formatted(_ millis: Int64, fraction: Bool = true) -> String? {
            var bytes: [UInt8] = []
            guard RFC3339.append(millisecondsSince1970: millis, fraction: fraction, to: &bytes) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(formatted(0) == "1970-01-01T00:00:00.000Z")
        #expect(formatted(-1) == "1969-12-31T23:59:59.999Z")
        #expect(formatted(951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(formatted(1_795_788_300_123, fraction: false) == "2026-11-27T14:05:00Z")
        #expect(formatted(253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
        #expect(formatted(253_402_300_800_000) == nil)
        #expect(formatted(-62_167_219_200_001) == nil)
        // Every day from 1600 to 2400 agrees with gmtime.
        var day: Int64 = -135_140
        while day < 157_000 {
            var seconds = time_t(day * 86400 + 45_296)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let expected = String(
                format: "%04d-%02d-%02dT12:34:56Z", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
            #expect(formatted(Int64(seconds) * 1000, fraction: false) == expected)
            #expect(RFC3339.daysFromCivil(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday)) == Int(day))
            day += 13
        }
    }

    @Test func trimming() {
        #expect("  a b \t\n".trimmingWhitespace() == "a b")
        #expect("\u{00A0}\u{2003}x\u{3000}".trimmingWhitespace() == "x")
        #expect(" \n\t ".trimmingWhitespace() == "")
        #expect("e\u{301} ".trimmingWhitespace() == "e\u{301}")
        #expect("as is".trimmingWhitespace() == "as is")
        #expect("x\u{00A0}".trimmingWhitespace() == "x")
        #expect("\u{2003}x".trimmingWhitespace() == "x")
        #expect("x\r".trimmingWhitespace() == "x")
        #expect("\u{0B}x".trimmingWhitespace() == "x")
        #expect("Zoë".trimmingWhitespace() == "Zoë")
        #expect(Substring("[a]").dropFirst().dropLast().trimmingWhitespace() == "a")
        #expect(" \t token \t".trimmingHTTPWhitespace() == "token")
        #expect("\t\t".trimmingHTTPWhitespace() == "")
        #expect(" a\nb ".trimmingHTTPWhitespace() == "a\nb")
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
