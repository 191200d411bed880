import HTTPCore

/// libFuzzer entry point: the first byte chooses how the rest is split into reads, so the
/// fuzzer explores both the parser's grammar and its handling of every split.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let step = Int(bytes[0] % 17) + 1
    var limits = ParserLimits()
    limits.maxRequestLineBytes = 512
    limits.maxHeaderLineBytes = 256
    limits.maxHeaderBytes = 1024
    limits.maxHeaderCount = 16
    limits.maxBodyBytes = 2048
    limits.maxChunkExtensionBytes = 64
    var parser = RequestParser(limits: limits)
    var offset = 1
    var failed = false
    while offset < bytes.count && !failed {
        let end = min(bytes.count, offset + step)
        parser.append(Array(bytes[offset..<end]))
        offset = end
        drain: while true {
            switch parser.next() {
            case .needMore: break drain
            case .expectContinue: continue
            case .request(let head, let body):
                // Invariants a handler relies on.
                precondition(body.count <= limits.maxBodyBytes, "body over the limit")
                precondition(head.path.first == "/" || head.path == "*", "path not origin-form")
                precondition(head.headers.count <= limits.maxHeaderCount, "too many headers")
                // Bodies are often JSON: exercise that parser too.
                _ = try? JSONParser.parse(body)
            case .failure(let error):
                precondition((400...505).contains(error.status), "framing status out of range")
                failed = true
                break drain
            }
        }
    }
    return 0
}

#if !FUZZING
import Foundation

/// Without libFuzzer, replays the files given as arguments (crash reproduction, seed checks).
@main
struct Replay {
    static func main() {
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let bytes = [UInt8](data)
            _ = bytes.withUnsafeBufferPointer { fuzzRequestParser($0.baseAddress, $0.count) }
            count += 1
        }
        print("replayed \(count) inputs")
    }
}
#endif
