/// Places where a test makes the server fail or wait, handed in through `Services`' initializer
/// (and the services' own). Production never sets them: `Services(database:)` passes `.none`,
/// and each place then costs a test of a stored nil, with no lock and no global state.
public struct FaultPoints: Sendable {
    /// Asked for each imported record's name: true makes it fail as a storage failure would.
    public var importFails: (@Sendable (_ name: String) -> Bool)?
    /// Runs between a token's lookup and its caching (a test holds a revocation there).
    public var afterTokenLookup: (@Sendable () -> Void)?

    public init(importFails: (@Sendable (_ name: String) -> Bool)? = nil, afterTokenLookup: (@Sendable () -> Void)? = nil) {
        self.importFails = importFails
        self.afterTokenLookup = afterTokenLookup
    }

    public static let none = FaultPoints()
}
