/// Turns a response into HTTP/1.1 bytes with the framing headers this server owns
/// (RFC 9112 §6.3: every response is delimited by Content-Length; none on 1xx/204/304).
public enum ResponseSerializer {
    public static func serialize(_ response: Response, keepAlive: Bool, clientVersion: HTTPVersion, headRequest: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + response.body.count)
        out.append(contentsOf: "HTTP/1.1 \(response.status) \(HTTPStatus.reason(response.status))\r\n".utf8)
        out.append(contentsOf: "Date: ".utf8)
        out.append(contentsOf: HTTPDate.now())
        out.append(contentsOf: "\r\n".utf8)
        let noBody = HTTPStatus.forbidsBody(response.status)
        if !noBody {
            out.append(contentsOf: "Content-Length: \(response.body.count)\r\n".utf8)
        }
        if !keepAlive {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        } else if clientVersion == .http1_0 {
            out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        for (name, value) in response.headers {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        if !noBody && !headRequest { out.append(contentsOf: response.body) }
        return out
    }
}
