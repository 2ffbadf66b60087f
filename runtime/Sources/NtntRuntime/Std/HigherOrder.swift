// Higher-order builtins (§9): filter, transform, reduce, find, any, all, sort, sort_desc.
// They call back into ntnt code through `CallContext.invoke`, which may throw; sorting uses
// a merge sort of our own because the comparator throws and stability is part of the contract.

extension Builtins {
    static let higherOrderFunctions: [BuiltinFunction] = [
        BuiltinFunction("filter", arity: 2...2) { a, ctx in
            let xs = try a.array(0, "filter")
            var out: [Value] = []
            for x in xs where try ctx.invoke(a[1], [x]).isTruthy { out.append(x) }
            return .array(out)
        },
        BuiltinFunction("transform", arity: 2...2) { a, ctx in
            let xs = try a.array(0, "transform")
            var out: [Value] = []
            out.reserveCapacity(xs.count)
            for x in xs { out.append(try ctx.invoke(a[1], [x])) }
            return .array(out)
        },
        BuiltinFunction("reduce", arity: 3...3) { a, ctx in
            var acc = a[1]
            for x in try a.array(0, "reduce") { acc = try ctx.invoke(a[2], [acc, x]) }
            return acc
        },
        BuiltinFunction("find", arity: 2...2) { a, ctx in
            for x in try a.array(0, "find") where try ctx.invoke(a[1], [x]).isTruthy { return .some(x) }
            return .none
        },
        BuiltinFunction("any", arity: 2...2) { a, ctx in
            for x in try a.array(0, "any") where try ctx.invoke(a[1], [x]).isTruthy { return .bool(true) }
            return .bool(false)
        },
        BuiltinFunction("all", arity: 2...2) { a, ctx in
            for x in try a.array(0, "all") where try !ctx.invoke(a[1], [x]).isTruthy { return .bool(false) }
            return .bool(true)
        },
        BuiltinFunction("sort", arity: 1...2) { a, ctx in
            .array(try sortValues(try a.array(0, "sort"), key: a.count > 1 ? a[1] : nil, descending: false, ctx))
        },
        BuiltinFunction("sort_desc", arity: 1...2) { a, ctx in
            .array(try sortValues(try a.array(0, "sort_desc"), key: a.count > 1 ? a[1] : nil, descending: true, ctx))
        },
    ]
}

/// The order of `sort`: numbers numerically, strings lexicographically, `false < true`,
/// anything else by display form.
public func sortOrder(_ a: Value, _ b: Value) -> Int {
    if let x = a.numericDouble, let y = b.numericDouble {
        return x < y ? -1 : (x > y ? 1 : 0)
    }
    switch (a, b) {
    case let (.string(x), .string(y)): return compareKeys(x, y)
    case let (.bool(x), .bool(y)): return x == y ? 0 : (x ? 1 : -1)
    default: return compareKeys(a.displayString, b.displayString)
    }
}

/// Stable sort by `key` (a function or a map-field name), ascending or descending.
func sortValues(_ xs: [Value], key: Value?, descending: Bool, _ ctx: CallContext) throws -> [Value] {
    var keys: [Value] = xs
    if let key {
        switch key {
        case .function:
            keys = try xs.map { try ctx.invoke(key, [$0]) }
        case .string(let field):
            keys = xs.map { $0.index(.string(field)) }
        default:
            throw typeError("sort", "a function or a field name", key)
        }
    }
    var order = Array(0..<xs.count)
    var scratch = order
    func mergeSort(_ lo: Int, _ hi: Int) {
        if hi - lo < 2 { return }
        let mid = (lo + hi) / 2
        mergeSort(lo, mid)
        mergeSort(mid, hi)
        var i = lo, j = mid, k = lo
        while i < mid && j < hi {
            var c = sortOrder(keys[order[j]], keys[order[i]])
            if descending { c = -c }
            // Take from the right half only when strictly before: keeps equal keys in input order.
            if c < 0 { scratch[k] = order[j]; j += 1 } else { scratch[k] = order[i]; i += 1 }
            k += 1
        }
        while i < mid { scratch[k] = order[i]; i += 1; k += 1 }
        while j < hi { scratch[k] = order[j]; j += 1; k += 1 }
        for t in lo..<hi { order[t] = scratch[t] }
    }
    mergeSort(0, xs.count)
    return order.map { xs[$0] }
}
