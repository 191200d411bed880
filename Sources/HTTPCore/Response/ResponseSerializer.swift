/// Turns a response into HTTP/1.1 bytes with the framing headers this server owns
/// (RFC 9112 §6.3: every response is delimited by Content-Length; none on 1xx/204/304).
public enum ResponseSerializer {
    public static func serialize(_ response: Response, keepAlive: Bool, clientVersion: HTTPVersion, headRequest: Bool) -> [UInt8] {
        var out: [UInt8] = []
        let noBody = HTTPStatus.forbidsBody(response.status)
        let sendsBody = !noBody && !headRequest
        var headerBytes = 0
        for (name, value) in response.headers { headerBytes += name.utf8.count + value.utf8.count + 4 }
        out.reserveCapacity(128 + headerBytes + (sendsBody ? response.body.count : 0))
        // Built from bytes, not interpolated Strings: each of those allocated.
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(response.status, to: &out)
        out.append(0x20)
        out.append(contentsOf: HTTPStatus.reason(response.status).utf8)
        out.append(contentsOf: "\r\nDate: ".utf8)
        out.append(contentsOf: HTTPDate.now())
        out.append(contentsOf: "\r\n".utf8)
        if response.stream != nil {
            // Chunked for HTTP/1.1; a 1.0 client reads to the close (RFC 9112 §6.3).
            if clientVersion != .http1_0 && !noBody { out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8) }
        } else if !noBody {
            out.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(response.body.count, to: &out)
            out.append(contentsOf: "\r\n".utf8)
        }
        if !keepAlive || (response.stream != nil && clientVersion == .http1_0) {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        } else if clientVersion == .http1_0 {
            out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        for (name, value) in response.headers {
            out.append(contentsOf: name.utf8)
            out.append(0x3A)
            out.append(0x20)
            out.append(contentsOf: value.utf8)
            out.append(0x0D)
            out.append(0x0A)
        }
        out.append(0x0D)
        out.append(0x0A)
        if sendsBody { out.append(contentsOf: response.body) }
        return out
    }

    /// Appends a non-negative integer's decimal digits.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        guard value > 0 else {
            out.append(0x30)
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var remaining = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while remaining > 0 {
                buffer[19 - count] = UInt8(truncatingIfNeeded: remaining % 10) &+ 0x30
                remaining /= 10
                count += 1
            }
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }
}
