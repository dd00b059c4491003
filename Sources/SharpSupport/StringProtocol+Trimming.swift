extension StringProtocol {
    /// The text without leading and trailing characters from `set` (e.g. " \t\r"), without
    /// Foundation's CharacterSet.
    public func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.last, set.contains(c) { s.removeLast() }
        while let c = s.first, set.contains(c) { s.removeFirst() }
        return String(s)
    }
}
