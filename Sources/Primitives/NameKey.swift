/// Names compared the way people mean them: "Motivational interviewing", "motivational 
/// Interviewing" and the same typed with a fullwidth letter, a ligature or a no-break space are
/// one name. Compatibility folding (NFKC's mappings, from `CompatibilityTable`), runs of white
/// space made one space, and canonical composition (NFC); the key is also lower-cased.
public enum NameKey {
    private static let table: [UInt32: [Unicode.Scalar]] = {
        var table: [UInt32: [Unicode.Scalar]] = [:]
        table.reserveCapacity(4096)
        for entry in CompatibilityTable.data.split(separator: ";") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, let source = UInt32(parts[0], radix: 16) else { continue }
            table[source] = parts[1].split(separator: ".").compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
        }
        return table
    }()

    /// The name as shown: folded and with its spaces tidied, its case kept.
    public static func display(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            for folded in table[scalar.value] ?? [scalar] {
                if folded.properties.isWhitespace || folded.properties.generalCategory == .control {
                    pendingSpace = !scalars.isEmpty
                    continue
                }
                if pendingSpace {
                    scalars.append(" ")
                    pendingSpace = false
                }
                scalars.append(folded)
            }
        }
        return String(decoding: String(scalars)._nfcCodeUnits, as: UTF8.self)
    }

    /// What two names are compared by.
    public static func key(_ text: String) -> String {
        String(decoding: display(text).lowercased()._nfcCodeUnits, as: UTF8.self)
    }

    private static let foldTable: [UInt32: [Unicode.Scalar]] = {
        var table: [UInt32: [Unicode.Scalar]] = [:]
        table.reserveCapacity(1024)
        for entry in FoldTable.data.split(separator: ";") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, let source = UInt32(parts[0], radix: 16) else { continue }
            table[source] = parts[1].split(separator: ".").compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
        }
        return table
    }()

    /// What lists match `q` against and sort names by: the key with diacritics and case gone,
    /// so "Álvarez", "alvarez" and "A\u{301}lvarez" (NFD) are one, and "Élise" sorts among the
    /// E's. Search's index folds the same way (FTS5's unicode61, remove_diacritics 2).
    public static func fold(_ text: String) -> String {
        // Nearly every name is printable ASCII with single spaces: lower-casing its bytes and
        // dropping the outer spaces is all it needs, in one pass (String.lowercased() and a
        // second scan cost 4% of a create's writer thread).
        if let ascii = asciiFold(text) { return ascii }
        var scalars = String.UnicodeScalarView()
        for scalar in key(text).unicodeScalars {
            if let base = foldTable[scalar.value] {
                for folded in base { scalars.append(contentsOf: String(folded).lowercased().unicodeScalars) }
            } else if scalar.properties.generalCategory != .nonspacingMark {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// The fold of printable ASCII text without runs of spaces; nil for anything else.
    private static func asciiFold(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var previous: UInt8 = 0
            for byte in bytes {
                if byte < 0x20 || byte >= 0x7F || (byte == 0x20 && previous == 0x20) { return nil }
                previous = byte
            }
            var start = 0
            var end = bytes.count
            while start < end && bytes[start] == 0x20 { start += 1 }
            while end > start && bytes[end - 1] == 0x20 { end -= 1 }
            return String(unsafeUninitializedCapacity: end - start) { out in
                for index in start..<end {
                    let byte = bytes[index]
                    out[index - start] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                }
                return end - start
            }
        }
    }
}
