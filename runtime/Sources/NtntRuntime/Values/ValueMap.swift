// ntnt maps: String keys, always iterated in ascending key order (LANGUAGE.md §3, Decision).
//
// Maps in web programs are small (rows, request fields, JSON objects), so a pair of sorted
// arrays with binary search beats hashing: no hash of the key, cache-friendly iteration, and
// printing, JSON and `for` need the sorted order anyway. Key order is by Unicode scalar
// values, which is exactly UTF-8 byte order, so comparisons run over `utf8` views.

#if canImport(Glibc)
import Glibc
#endif

/// An ordered String-keyed map with value semantics.
public struct ValueMap {
    public private(set) var keys: [String]
    // Writable from inlinable code so values can be updated in place; keys stay private.
    public var values: [Value]

    public init() {
        keys = []
        values = []
    }

    /// A map from keys already in ascending order without duplicates (the caller guarantees it:
    /// compiled code and the runtime's own fixed shapes).
    public init(sortedKeys: [String], values: [Value]) {
        self.keys = sortedKeys
        self.values = values
    }

    /// Builds a map from pairs; a later duplicate key replaces an earlier one.
    public init<Pairs: Collection>(_ pairs: Pairs) where Pairs.Element == (String, Value) {
        self.init()
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }

    /// Whether `other` is this very map (shares its storage): then it has the same entries.
    public func isSameStorage(as other: ValueMap) -> Bool {
        guard keys.count == other.keys.count, !keys.isEmpty else { return false }
        let k = keys.withUnsafeBufferPointer { a in other.keys.withUnsafeBufferPointer { a.baseAddress == $0.baseAddress } }
        return k && values.withUnsafeBufferPointer { a in other.values.withUnsafeBufferPointer { a.baseAddress == $0.baseAddress } }
    }

    @inlinable public var count: Int { keys.count }
    @inlinable public var isEmpty: Bool { keys.isEmpty }

    /// Index of `key`, or where it would be inserted (with `found == false`).
    @usableFromInline
    func search(_ key: String) -> (index: Int, found: Bool) {
        var lo = 0
        var hi = keys.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            let c = compareKeys(keys[mid], key)
            if c == 0 { return (mid, true) }
            if c < 0 { lo = mid + 1 } else { hi = mid }
        }
        return (lo, false)
    }

    /// Reads or writes the value of `key`; writing nil removes the key.
    public subscript(key: String) -> Value? {
        get {
            let (i, found) = search(key)
            return found ? values[i] : nil
        }
        set {
            let (i, found) = search(key)
            if let newValue {
                if found {
                    values[i] = newValue
                } else {
                    keys.insert(key, at: i)
                    values.insert(newValue, at: i)
                }
            } else if found {
                keys.remove(at: i)
                values.remove(at: i)
            }
        }
    }

    /// Mutates the value stored under an existing key in place (no copy of nested containers).
    public mutating func withValue<R>(at index: Int, _ body: (inout Value) throws -> R) rethrows -> R {
        try body(&values[index])
    }

    /// Position of `key` among the sorted keys, if present.
    public func index(of key: String) -> Int? {
        let (i, found) = search(key)
        return found ? i : nil
    }

    /// Appends a key known to be greater than every present key (builders of sorted input).
    public mutating func appendSorted(_ key: String, _ value: Value) {
        if let last = keys.last, compareKeys(last, key) >= 0 {
            self[key] = value
            return
        }
        keys.append(key)
        values.append(value)
    }
}

/// Three-way comparison of strings by Unicode scalar values (= UTF-8 byte order). Map lookups
/// spend most of their time here, so contiguous strings (nearly all) are compared with memcmp.
@inlinable
public func compareKeys(_ a: String, _ b: String) -> Int {
    let fast = a.utf8.withContiguousStorageIfAvailable { pa in
        b.utf8.withContiguousStorageIfAvailable { pb -> Int in
            let n = Swift.min(pa.count, pb.count)
            if n > 0 {
                let c = memcmp(pa.baseAddress!, pb.baseAddress!, n)
                if c != 0 { return c < 0 ? -1 : 1 }
            }
            return pa.count == pb.count ? 0 : (pa.count < pb.count ? -1 : 1)
        }
    }
    if let result = fast ?? nil { return result }
    var ia = a.utf8.makeIterator()
    var ib = b.utf8.makeIterator()
    while true {
        switch (ia.next(), ib.next()) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case let (x?, y?):
            if x != y { return x < y ? -1 : 1 }
        }
    }
}

/// The number of Unicode scalars in `s` (what `len` counts): the UTF-8 bytes that do not
/// continue a sequence, counted directly (far cheaper than walking the scalar view).
@inlinable
public func scalarCount(_ s: String) -> Int {
    if let n = s.utf8.withContiguousStorageIfAvailable({ bytes -> Int in
        var count = 0
        for b in bytes where b & 0xC0 != 0x80 { count += 1 }
        return count
    }) { return n }
    return s.unicodeScalars.count
}
