import Dispatch
import Primitives

/// A body produced while it is sent, in chunked transfer coding (RFC 9112 §7.1), so an export
/// of any size never sits whole in memory. The producer runs on a thread of its own and
/// writes pieces through a `BodyWriter`, which waits while the client is behind.
public struct BodyStream: Sendable {
    public let produce: @Sendable (BodyWriter) throws -> Void

    public init(_ produce: @escaping @Sendable (BodyWriter) throws -> Void) {
        self.produce = produce
    }
}

/// Where a producer writes its body. `write` blocks while more than `highWater` bytes wait to
/// be sent, and throws once the client has gone, so the producer stops.
public final class BodyWriter: @unchecked Sendable {
    /// The client closed the connection mid-stream.
    public struct Gone: Error {}

    struct State {
        var pending: [UInt8] = []
        var finished = false
        var failed = false
        var gone = false
        /// A pump is queued on the connection's loop; the next write need not queue one.
        var pumpQueued = false
    }

    // Shared by the producer thread and the connection's loop; reached only under the lock.
    let state = ConditionLock(State())
    private let chunked: Bool
    private let wake: @Sendable () -> Void
    static let highWater = 256 * 1024
    private var buffer: [UInt8] = []

    init(chunked: Bool, wake: @escaping @Sendable () -> Void) {
        self.chunked = chunked
        self.wake = wake
        buffer.reserveCapacity(16 * 1024)
    }

    /// Appends bytes; they go out in pieces of about 16 KiB.
    public func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 16 * 1024 { try flush() }
    }

    public func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    /// Hands what is buffered to the connection, waiting while it is behind.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        var framed: [UInt8] = []
        if chunked {
            framed.reserveCapacity(buffer.count + 16)
            framed.append(contentsOf: String(buffer.count, radix: 16).utf8)
            framed.append(contentsOf: [0x0D, 0x0A])
            framed.append(contentsOf: buffer)
            framed.append(contentsOf: [0x0D, 0x0A])
        } else {
            framed = buffer
        }
        buffer.removeAll(keepingCapacity: true)
        let queue = try state.withLock { state throws(Gone) -> Bool in
            if state.gone { throw Gone() }
            state.pending.append(contentsOf: framed)
            defer { state.pumpQueued = true }
            return !state.pumpQueued
        }
        if queue { wake() }
        let gone = state.wait { state -> Bool? in
            state.gone ? true : (state.pending.count < Self.highWater ? false : nil)
        }
        if gone { throw Gone() }
    }

    /// The end of the body (the last chunk), or a failure: the connection is then closed
    /// without it, so the client sees a truncated body rather than a complete-looking one.
    func end(failed: Bool) {
        if !failed { try? flush() }
        let queue = state.withLock { state -> Bool in
            if failed { state.failed = true } else {
                state.finished = true
                if chunked { state.pending.append(contentsOf: Array("0\r\n\r\n".utf8)) }
            }
            defer { state.pumpQueued = true }
            return !state.pumpQueued
        }
        if queue { wake() }
    }

    /// What the connection sends next, and whether the body is complete or failed.
    func take() -> (bytes: [UInt8], finished: Bool, failed: Bool) {
        let taken = state.withLock { state -> ([UInt8], Bool, Bool) in
            let bytes = state.pending
            state.pending = []
            state.pumpQueued = false
            return (bytes, state.finished, state.failed)
        }
        state.broadcast()
        return taken
    }

    /// The connection closed: the producer's next write throws.
    func cancel() {
        state.withLock { $0.gone = true }
        state.broadcast()
    }
}

extension Response {
    /// A streamed response: `produce` writes the body after the head is sent.
    public static func stream(
        _ status: Int = 200, headers: [(name: String, value: String)], _ produce: @escaping @Sendable (BodyWriter) throws -> Void
    ) -> Response {
        var response = Response(status: status, headers: headers)
        response.stream = BodyStream(produce)
        return response
    }
}
