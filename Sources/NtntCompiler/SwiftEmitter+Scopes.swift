// Scopes and variables: each materialised scope declares the Swift storage of its slots
// (plain `var`, typed `var`, or `Cell`), and names resolve through them exactly as the
// interpreter's scopes do.

import NtntSema
import NtntSyntax

extension SwiftEmitter {
    // MARK: - Scopes

    /// Declares the Swift storage of a scope's slots and enters it.
    func openScope(_ info: ScopeInfo, names: [Int: String] = [:], isModule: Bool = false) {
        scopeCounter += 1
        let id = scopeCounter
        let caps = captured[ObjectIdentifier(info)] ?? []
        var slots: [Storage] = []
        let lets = declaredNames[ObjectIdentifier(info)] ?? [:]
        for slot in 0..<info.slotCount {
            let base = "v\(id)_\(slot)" + ((names[slot] ?? lets[slot]).map { "_" + identifierPart($0) } ?? "")
            if let r = requestParameter, r.slot == SlotKey(scope: ObjectIdentifier(info), slot: slot) {
                slots.append(.request(r.view))
            } else if isModule {
                slots.append(.cell("self.\(base)"))
            } else if let keys = variables.unboxedMaps[SlotKey(scope: ObjectIdentifier(info), slot: slot)] {
                let vars = keys.indices.map { "\(base)_\($0)" }
                for v in vars { line("var \(v): Value = .none") }
                slots.append(.unboxedMap(keys: keys, vars: vars))
            } else if let type = nativeSlots[SlotKey(scope: ObjectIdentifier(info), slot: slot)] {
                line("var \(base): \(type.declaredType) = \(type.zero)")
                slots.append(.native(base, type))
            } else if caps.contains(slot) {
                line("let \(base) = Cell()")
                slots.append(.cell(base))
            } else {
                line("var \(base): Value = .unit")
                slots.append(.local(base))
            }
        }
        scopes.append((info, slots))
        // Hoisted functions exist from scope entry.
        for f in info.hoistedFunctions {
            assign(slot: f.decl!.slot, hops: 0, value: functionValue(f))
        }
    }

    func closeScope() { scopes.removeLast() }

    func storage(hops: Int, slot: Int) -> Storage {
        scopes[scopes.count - 1 - hops].slots[slot]
    }

    func assign(slot: Int, hops: Int, value: String) {
        switch storage(hops: hops, slot: slot) {
        case .local(let n): line("\(n) = \(value)")
        case .cell(let n): line("\(n).value = \(value)")
        case let .native(n, type): line("\(n) = \(type.extract(value))")
        case .request: break  // bound to the view the typed entry receives
        case .unboxedMap:
            // Only its `let` gives it a value (the analysis excludes assigned variables).
            preconditionFailure("assignment to an unboxed map")
        }
    }

    func read(_ r: VarRef) -> String {
        switch r.binding {
        case let .local(hops, slot):
            switch storage(hops: hops, slot: slot) {
            case .local(let n): return n
            case let .native(n, type): return type.wrap(n)
            case .request(let view): return "\(view).value"
            case let .unboxedMap(keys, vars):
                // The whole Map after all (a use no entry read covers): made here, as the literal would.
                let constant = "\(className)_keys\(mapKeyConstants.count)"
                mapKeyConstants.append((constant, keys))
                return "Value.map(ValueMap(sortedKeys: \(constant), values: [\(vars.joined(separator: ", "))]))"
            case .cell(let n):
                return r.isInTemplate ? "(\(n).value ?? .none)" : "(try \(n).get(\(swiftString(r.name))))"
            }
        case .global(let g):
            let name = globalNames[g]
            usedGlobals.insert(name)
            return "g_\(identifierPart(name))"
        case .missing, .unresolved:
            if r.isInTemplate { return "Value.none" }
            return "(try undefinedVariable(\(swiftString(r.name))))"
        }
    }
}
