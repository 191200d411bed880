import CZlib
import Primitives

/// gzip (RFC 1952) through zlib, for response compression and for tests that check it.
public enum Gzip {
    /// Compresses `input`; nil only if zlib fails, in which case the caller sends it plain.
    ///
    /// Level 1 by default: on a 27 KB page of contacts it took 66 µs against level 5's 112 µs,
    /// for output 5% larger. Default-level streams are reused (deflateReset), since setting
    /// up a stream allocates and clears about 256 KB.
    public static func compress(_ input: [UInt8], level: Int32 = defaultLevel) -> [UInt8]? {
        let pooled = level == defaultLevel
        var stream = pooled ? (idleStreams.withLock { $0.popLast() }) : nil
        if let existing = stream {
            guard deflateReset(existing) == Z_OK else {
                deflateEnd(existing)
                existing.deallocate()
                return nil
            }
        } else {
            let fresh = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            fresh.initialize(to: z_stream())
            guard foothold_deflate_init_gzip(fresh, level) == Z_OK else {
                fresh.deallocate()
                return nil
            }
            stream = fresh
        }
        guard let stream else { return nil }
        defer {
            let kept = pooled && idleStreams.withLock { streams -> Bool in
                guard streams.count < 8 else { return false }
                streams.append(stream)
                return true
            }
            if !kept {
                deflateEnd(stream)
                stream.deallocate()
            }
        }
        let bound = Int(deflateBound(stream, uLong(input.count))) + 32
        var status = Z_STREAM_ERROR
        // Uninitialized: zlib writes what it produces, and only that much is kept.
        let output = [UInt8](unsafeUninitializedCapacity: bound) { destination, initialized in
            status = input.withUnsafeBytes { source in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
                stream.pointee.avail_in = uInt(source.count)
                stream.pointee.next_out = destination.baseAddress
                stream.pointee.avail_out = uInt(destination.count)
                return deflate(stream, Z_FINISH)
            }
            initialized = status == Z_STREAM_END ? min(Int(stream.pointee.total_out), destination.count) : 0
        }
        guard status == Z_STREAM_END else { return nil }
        return output
    }

    public static let defaultLevel: Int32 = 1

    /// Deflate streams set up at the default level, waiting for reuse (at most 8 kept).
    private static let idleStreams = Lock<[UnsafeMutablePointer<z_stream>]>([])

    /// Decompresses a gzip stream; nil when it is not valid gzip or exceeds `limit` bytes.
    public static func decompress(_ input: [UInt8], limit: Int = 64 << 20) -> [UInt8]? {
        var stream = z_stream()
        guard foothold_inflate_init_gzip(&stream) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        return input.withUnsafeBytes { source -> [UInt8]? in
            stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(source.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBytes { destination -> (Int32, Int) in
                    stream.next_out = destination.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(destination.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, destination.count - Int(stream.avail_out))
                }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return nil }
                if status == Z_STREAM_END { return output }
                if status != Z_OK || (produced == 0 && stream.avail_in == 0) { return nil }
            }
        }
    }

    /// Whether an `Accept-Encoding` field value accepts gzip (RFC 9110 §12.5.3): a `gzip`
    /// or `*` element whose q-value is not zero.
    public static func accepted(by acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        var gzipQ: Double?
        var starQ: Double?
        for element in acceptEncoding.split(separator: ",") {
            let parts = element.split(separator: ";")
            guard let first = parts.first else { continue }
            let coding = first.trimmingHTTPWhitespace().lowercased()
            var q = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingHTTPWhitespace()
                if pair.lowercased().hasPrefix("q=") { q = Double(pair.dropFirst(2)) ?? 0 }
            }
            if coding == "gzip" || coding == "x-gzip" { gzipQ = q } else if coding == "*" { starQ = q }
        }
        if let gzipQ { return gzipQ > 0 }
        if let starQ { return starQ > 0 }
        return false
    }
}
