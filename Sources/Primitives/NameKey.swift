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
}
