/// A connection's standing when the server is full, packed in one word so the acceptor can read
/// it from another thread: the class in the top two bits (busy 0, a request head still arriving
/// 1, idle between requests 2) and, below, the monotonic time it has been so since. Higher
/// classes go first, and within a class the oldest.
enum EvictionRank {
    static let busy: UInt64 = 0
    private static let timeMask: UInt64 = (1 << 62) - 1

    static func headIncomplete(since: UInt64) -> UInt64 { 1 << 62 | since & timeMask }
    static func idle(since: UInt64) -> UInt64 { 2 << 62 | since & timeMask }

    /// Whether `a` should be evicted before `b`.
    static func precedes(_ a: UInt64, _ b: UInt64) -> Bool {
        let (classA, classB) = (a >> 62, b >> 62)
        if classA != classB { return classA > classB }
        return a & timeMask < b & timeMask
    }
}
