import Foundation
import Dispatch
import Primitives
import Testing
@testable import HTTPCore

@Suite("JSON", .timeLimit(.minutes(1)))
struct JSONTests {
    @Test func roundTripsValues() throws {
        let text = #"{"a":1,"b":[true,false,null],"c":"x\"y\\z\n\u00e9\ud83d\ude00","d":-9223372036854775808,"e":1.5}"#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(value["a"] == .int(1))
        #expect(value["c"] == .string("x\"y\\z\né😀"))
        #expect(value["d"] == .int(Int64.min))
        #expect(value["e"] == .double(1.5))
        var writer = JSONWriter()
        writer.value(value)
        #expect(try JSONParser.parse(writer.bytes) == value)
    }

    /// Plain ASCII strings take a path without a copy; raw UTF-8 is validated either way.
    @Test func decodesStringsWithAndWithoutEscapes() throws {
        let value = try JSONParser.parse(Array(#"{"plain":"New Person","raw":"Zoë 😀","mixed":"é\t","":""}"#.utf8))
        #expect(value["plain"] == .string("New Person"))
        #expect(value["raw"] == .string("Zoë 😀"))
        #expect(value["mixed"] == .string("é\t"))
        #expect(value[""] == .string(""))
        let quote = UInt8(ascii: "\"")
        for invalid: [UInt8] in [[0xC3], [0xFF, 0x41], [0x5C, 0x6E, 0xED, 0xA0, 0x80]] {
            let document = [quote] + invalid + [quote]
            #expect(throws: JSONParser.SyntaxError(offset: document.count, message: "string is not valid UTF-8")) {
                try JSONParser.parse(document)
            }
        }
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "\"\u{01}\"", "{\"a\":1}x", "{\"a\":1,\"a\":2}",
        "\"\\ud800\"", "\"\\x\"", "tru", "NaN", "[1 2]", "{a:1}",
    ])
    func rejectsInvalidDocuments(_ text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test func limitsNesting() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(Array(ok.utf8))
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(Array(deep.utf8)) }
    }

    @Test func timestampsMatchTheCalendar() {
        for seconds: Double in [0, 951_782_400 /* 2000-02-29 */, 1_795_788_300.9, -86_400, 4_102_444_799, 1_709_164_800] {
            var writer = JSONWriter()
            writer.timestamp(Date(timeIntervalSince1970: seconds))
            #expect(String(decoding: writer.bytes, as: UTF8.self) == "\"" + Timestamp.rfc3339(Date(timeIntervalSince1970: seconds)) + "\"")
        }
        var writer = JSONWriter()
        writer.timestamp(Date(timeIntervalSince1970: 1_795_788_300))
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #""2026-11-27T14:05:00Z""#)
    }

    @Test func writesNestingAndIntegersExactly() throws {
        var writer = JSONWriter()
        writer.arrayStart()
        for value: Int64 in [0, 7, -7, 1234567890, Int64.max, Int64.min] { writer.int(value) }
        writer.objectStart(); writer.key("a"); writer.arrayStart(); writer.arrayEnd(); writer.key("b"); writer.objectStart(); writer.objectEnd(); writer.objectEnd()
        writer.arrayEnd()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "[0,7,-7,1234567890,9223372036854775807,-9223372036854775808,{\"a\":[],\"b\":{}}]")
        // Deeper than the 63 levels the bit stack holds, commas still come out right.
        let deep: JSONValue = (0..<100).reduce(JSONValue.array([.int(1), .int(2)])) { inner, _ in .array([inner, .int(3)]) }
        var deepWriter = JSONWriter()
        deepWriter.value(deep)
        #expect(try JSONParser.parse(deepWriter.bytes, maxDepth: 200) == deep)
    }

    @Test func escapesControlCharacters() {
        var writer = JSONWriter()
        writer.string("a\u{01}b\t")
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #""a\u0001b\t""#)
    }

    @Test func gzipRoundTripAndNegotiation() throws {
        let input = Array(String(repeating: "foothold ", count: 500).utf8)
        let compressed = try #require(Gzip.compress(input))
        #expect(compressed.count < input.count)
        #expect(Gzip.decompress(compressed) == input)
        #expect(Gzip.accepted(by: "gzip, deflate"))
        #expect(Gzip.accepted(by: "br;q=1.0, gzip;q=0.5"))
        #expect(!Gzip.accepted(by: "gzip;q=0"))
        #expect(!Gzip.accepted(by: "identity"))
        #expect(Gzip.accepted(by: "*"))
        #expect(!Gzip.accepted(by: nil))
    }

    @Test func reusedGzipStreamsCarryNothingOver() {
        // Streams are pooled and reset between responses; each output must stand alone.
        let inputs = (0..<64).map { index in Array(String(repeating: "item \(index) ", count: index * 37 + 1).utf8) }
        let failures = Lock(0)
        DispatchQueue.concurrentPerform(iterations: 4) { lane in
            for round in 0..<8 {
                for (index, input) in inputs.enumerated() where (index + round + lane) % 3 != 0 {
                    let out = Gzip.compress(input).flatMap { Gzip.decompress($0) }
                    if out != input { failures.withLock { $0 += 1 } }
                }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        #expect(Gzip.compress([], level: 9).flatMap { Gzip.decompress($0) } == [])
    }

    @Test func routerMatchesTemplates() {
        var router = Router<Int>()
        router.add("GET", "/contacts", 1)
        router.add("POST", "/contacts", 2)
        router.add("GET", "/contacts/{id:int}", 3)
        router.add("GET", "/contacts/{id:int}/outreach", 4)
        guard case .found(3, let parameters, let label) = router.match(method: "GET", path: "/contacts/42") else {
            Issue.record("expected a match")
            return
        }
        #expect(parameters["id"] == "42")
        #expect(label == "/contacts/{id}")
        guard case .found(1, _, _) = router.match(method: "HEAD", path: "/contacts") else {
            Issue.record("HEAD must reach GET")
            return
        }
        guard case .methodNotAllowed(let allowed) = router.match(method: "BREW", path: "/contacts") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["GET", "HEAD", "OPTIONS", "POST"])
        for path in ["/contacts/abc", "/contacts/0", "/contacts/", "/contacts//4", "/nope", "contacts", "/contacts/%zz"] {
            guard case .notFound = router.match(method: "GET", path: path) else {
                Issue.record("\(path) must not match")
                continue
            }
        }
    }
}
