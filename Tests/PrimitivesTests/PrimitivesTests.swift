#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Primitives
import Testing
import TestSupport

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

    /// Parsing with any offset, formatting as stored, and calendar dates (RFC3339 owns the format).
    @Test func timestampsParseAndFormat() {
        let date = RFC3339.parse("2026-11-27T14:05:00Z")
        #expect(date?.timeIntervalSince1970 == 1_795_788_300)
        #expect(RFC3339.parse("2026-11-27T15:05:00+01:00") == date)
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_795_788_300.5)) == "2026-11-27T14:05:00.500Z")
        for bad in ["2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-27 14:05:00Z", "2026-11-27T14:05:00", "yesterday"] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
        #expect(RFC3339.isValidDate("2024-02-29"))
        #expect(!RFC3339.isValidDate("2023-02-29"))
        #expect(!RFC3339.isValidDate("2023-2-28"))
    }

    /// A thread that forbade blocking waits gets an error from `Future.wait` at once, even for a
    /// future that would never complete; other threads still wait.
    @Test func blockingWaitsFailAtOnceWhereForbidden() throws {
        let outcome = Future<String>()
        SystemThread.start(name: "no-waits") {
            BlockingWaits.forbidOnThisThread()
            let never = Future<Int>()
            do {
                _ = try never.wait()
                outcome.complete(.success("waited"))
            } catch {
                outcome.complete(.success("\(error)"))
            }
        }
        #expect(try outcome.value(within: 10).contains("must never block"))
        #expect(!BlockingWaits.areForbidden)
        #expect(try finishes { try Future<Int>(.success(3)).wait() } == 3)
    }

    @Test func mapErrorPassesValuesAndMapsFailures() throws {
        struct Original: Error {}
        struct Mapped: Error {}
        #expect(try Future<Int>(.success(1)).mapError { _ in Mapped() }.value(within: 10) == 1)
        let failing = Future<Int>()
        let mapped = failing.mapError { $0 is Original ? Mapped() : $0 }
        failing.complete(.failure(Original()))
        #expect(throws: Mapped.self) { try mapped.value(within: 10) }
    }
}

@Suite("Name keys")
struct NameKeyTests {
    @Test func caseSpacesAndCompatibilityFormsFoldToOneKey() {
        let key = NameKey.key("Motivational interviewing")
        for variant in ["motivational  Interviewing", " MOTIVATIONAL\tinterviewing ", "Motivational\u{00A0}interviewing", "Ｍotivational interviewing",
                        "Motivational\u{3000}interviewing"] {
            #expect(NameKey.key(variant) == key, "\(variant)")
        }
        #expect(NameKey.key("ﬁeld work") == "field work")
        #expect(NameKey.key("Cafe\u{301}") == NameKey.key("Café"))
        #expect(NameKey.key("Café").unicodeScalars.count == 4)
        #expect(NameKey.key("Ⅳ year plan") == "iv year plan")
        #expect(NameKey.key("CO₂ accounting") == "co2 accounting")
        #expect(NameKey.key("Soil science") != NameKey.key("Soil sciences"))
        #expect(NameKey.display("  motivational   Interviewing ") == "motivational Interviewing")
        #expect(NameKey.display("") == "")
    }
}
