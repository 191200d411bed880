#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Options a write request may carry (`?allow_duplicate=true`).
public struct WriteOptions: Sendable {
    /// Create or update even when the duplicate check finds a match.
    public var allowDuplicate = false

    public init(allowDuplicate: Bool = false) {
        self.allowDuplicate = allowDuplicate
    }
}

/// What a plain resource declares about itself; `ResourcePath` runs the rest.
protocol ResourceRules: Sendable {
    associatedtype Store: RecordStore
    associatedtype Draft: Sendable
    /// What `check` learned from the database that `saved` needs too (a meeting's contact stage),
    /// so one read serves both; most rules learn nothing.
    associatedtype Checked = Void
    typealias Record = Store.Record

    /// A new record with its defaults, before the draft applies.
    func blank(userID: Int64, now: Date) -> Record
    /// Applies a draft (JSON Merge Patch semantics) and validates the result, without the database.
    func apply(_ draft: Draft, to record: inout Record) throws(DomainError)
    /// Checks against what is stored (referenced ids, unique names, duplicates), inside the write.
    func check(_ connection: SQLiteConnection, userID: Int64, _ record: Record, replacing current: Record?, options: WriteOptions) throws -> Checked
    /// Refuses a delete that would break a rule (dependants).
    func checkDelete(_ connection: SQLiteConnection, _ record: Record) throws
    /// What else a delete changes, stamped `at` (objects that lose a link to it).
    func deleting(_ connection: SQLiteConnection, _ record: Record, at stamp: Date) throws
    /// What follows from a delete once the row is gone (derived rows rebuilt without it).
    func deleted(_ connection: SQLiteConnection, _ record: Record, at stamp: Date) throws
    /// Sets the record's own commit-time fields (beyond created_at/updated_at) before it is saved.
    func stamp(_ record: inout Record, replacing current: Record?, at stamp: Date)
    /// Sets what `check` learned from the database on the record before it is saved (an
    /// insight's area from its contact).
    func fill(_ record: inout Record, replacing current: Record?, checked: Checked)
    /// Refuses times the draft set in the future (beyond clock skew), against the server's clock.
    func checkTimes(_ record: Record, replacing current: Record?, now: Date) throws(DomainError)
    /// What else a create or update changes, in the same transaction (a contact's stage).
    func saved(_ connection: SQLiteConnection, _ record: Record, replacing current: Record?, checked: Checked, at stamp: Date) throws
}

extension ResourceRules {
    func checkDelete(_ connection: SQLiteConnection, _ record: Record) throws {}
    func deleting(_ connection: SQLiteConnection, _ record: Record, at stamp: Date) throws {}
    func deleted(_ connection: SQLiteConnection, _ record: Record, at stamp: Date) throws {}
    func stamp(_ record: inout Record, replacing current: Record?, at stamp: Date) {}
    func checkTimes(_ record: Record, replacing current: Record?, now: Date) throws(DomainError) {}
    func fill(_ record: inout Record, replacing current: Record?, checked: Checked) {}
    func saved(_ connection: SQLiteConnection, _ record: Record, replacing current: Record?, checked: Checked, at stamp: Date) throws {}
}

/// The path every write of a plain resource takes, written once: validate at once (bad input
/// is answered without touching the writer) → submit → load → check the version → apply →
/// check against stored state → save → answer after the commit. A resource declares its
/// rules and its store; its service forwards here.
struct ResourcePath<Rules: ResourceRules>: Sendable {
    typealias Record = Rules.Record
    typealias Store = Rules.Store

    let storage: Storage
    let clock: any Clock
    let rules: Rules

    func get(userID: Int64, id: Int64) throws -> Record {
        try storage.read { try Store.load($0, userID: userID, id: id) }
    }

    /// Validates now (thrown at once); the insert and its checks run on the writer thread, and
    /// the future completes after the commit with the record as written (no read-back).
    func create(userID: Int64, draft: Rules.Draft, options: WriteOptions = WriteOptions()) throws -> Future<Record> {
        let now = clock.now()
        var record = rules.blank(userID: userID, now: now)
        try rules.apply(draft, to: &record)
        try rules.checkTimes(record, replacing: nil, now: now)
        let validated = record
        let rules = rules
        let storage = storage
        return storage.submit { connection in
            let checked = try rules.check(connection, userID: userID, validated, replacing: nil, options: options)
            // Stamped here, in commit order (see `Storage.stamp`).
            var stamped = validated
            rules.fill(&stamped, replacing: nil, checked: checked)
            stamped.createdAt = storage.stamp()
            stamped.updatedAt = stamped.createdAt
            rules.stamp(&stamped, replacing: nil, at: stamped.createdAt)
            var written = try Store.insert(connection, userID: userID, stamped, at: stamped.createdAt)
            try rules.saved(connection, written, replacing: nil, checked: checked, at: stamped.createdAt)
            try Store.fillNames(connection, &written)
            return written
        }
    }

    /// The version precondition is checked on the writer thread against what is stored.
    func update(userID: Int64, id: Int64, draft: Rules.Draft, precondition: VersionPrecondition, options: WriteOptions = WriteOptions()) -> Future<Record> {
        let rules = rules
        let storage = storage
        let clock = clock
        return storage.submit { connection in
            let current = try Store.load(connection, userID: userID, id: id)
            try precondition.check(current.version)
            var updated = current
            try rules.apply(draft, to: &updated)
            try rules.checkTimes(updated, replacing: current, now: clock.now())
            guard updated != current else { return current }
            let checked = try rules.check(connection, userID: userID, updated, replacing: current, options: options)
            rules.fill(&updated, replacing: current, checked: checked)
            let stamp = storage.stamp()
            rules.stamp(&updated, replacing: current, at: stamp)
            try Store.update(connection, updated, replacing: current, at: stamp)
            try rules.saved(connection, updated, replacing: current, checked: checked, at: stamp)
            // Read back: computed fields (counts) and the stored timestamps.
            return try Store.load(connection, userID: userID, id: id)
        }
    }

    func delete(userID: Int64, id: Int64, precondition: VersionPrecondition) -> Future<Void> {
        let rules = rules
        let storage = storage
        return storage.submit { connection in
            let current = try Store.load(connection, userID: userID, id: id)
            try precondition.check(current.version)
            try rules.checkDelete(connection, current)
            let stamp = storage.stamp()
            try rules.deleting(connection, current, at: stamp)
            try Store.delete(connection, id: id)
            try rules.deleted(connection, current, at: stamp)
            try DeletionStore.record(connection, userID: userID, kind: Store.kind, id: id, at: stamp)
        }
    }

    /// A page of the user's records; `filter` adds its conditions to the store's base query.
    func list(userID: Int64, page: PageRequest, _ filter: (inout KeysetQuery) -> Void) throws -> Page<Record> {
        var query = Store.listQuery(userID: userID)
        filter(&query)
        return try storage.read { try Store.list($0, query, page: page) }
    }
}

/// The operations every plain resource offers, implemented once by `ResourcePath`: a resource's
/// service subclasses it and adds only what is its own (lists and their filters, actions).
public class ResourceService<Item: Sendable, Draft: Sendable>: @unchecked Sendable {
    // Unchecked only because a class meant to be subclassed cannot have a checked conformance:
    // its stored properties are lets, and every closure is Sendable, so it is safe to share.
    private let getOne: @Sendable (Int64, Int64) throws -> Item
    private let createOne: @Sendable (Int64, Draft, WriteOptions) throws -> Future<Item>
    private let updateOne: @Sendable (Int64, Int64, Draft, VersionPrecondition, WriteOptions) -> Future<Item>
    private let deleteOne: @Sendable (Int64, Int64, VersionPrecondition) -> Future<Void>

    /// - Parameter create: a create of the resource's own, for one that writes more than its row
    ///   (a referral with an inline new contact); nil: the shared path's.
    init<Rules: ResourceRules>(
        _ path: ResourcePath<Rules>, create: (@Sendable (Int64, Draft, WriteOptions) throws -> Future<Item>)? = nil
    ) where Rules.Record == Item, Rules.Draft == Draft {
        getOne = { try path.get(userID: $0, id: $1) }
        createOne = create ?? { try path.create(userID: $0, draft: $1, options: $2) }
        updateOne = { path.update(userID: $0, id: $1, draft: $2, precondition: $3, options: $4) }
        deleteOne = { path.delete(userID: $0, id: $1, precondition: $2) }
    }

    /// The user's object `id`; another user's is not found.
    public final func get(userID: Int64, id: Int64) throws -> Item {
        try getOne(userID, id)
    }

    /// Validates at once (a bad draft throws here); the future completes after the commit.
    public final func create(userID: Int64, draft: Draft, options: WriteOptions = WriteOptions()) throws -> Future<Item> {
        try createOne(userID, draft, options)
    }

    /// A merge patch, checked against the stored version on the writer thread.
    public final func update(
        userID: Int64, id: Int64, draft: Draft, precondition: VersionPrecondition, options: WriteOptions = WriteOptions()
    ) -> Future<Item> {
        updateOne(userID, id, draft, precondition, options)
    }

    public final func delete(userID: Int64, id: Int64, precondition: VersionPrecondition) -> Future<Void> {
        deleteOne(userID, id, precondition)
    }
}
