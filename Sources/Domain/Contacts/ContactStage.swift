/// Where a contact is in the method (docs/product.md): identified → contacted → scheduled → met,
/// moved forward by events or by hand; dormant and do_not_contact only by hand.
public enum ContactStage: String, Sendable, CaseIterable {
    case identified
    case contacted
    case scheduled
    case met
    case dormant
    case doNotContact = "do_not_contact"
}
